import * as crypto from 'crypto';

/**
 * The sealed-secrets controller's side, for tests: unseals with the private
 * key using node's own OAEP, an implementation independent of lib/seal.ts's
 * encoder.
 */
export function unseal(privateKeyPem: string, namespace: string, name: string, sealed: string): string {
  const data = Buffer.from(sealed, 'base64');
  const rsaLength = data.readUInt16BE(0);
  const sessionKey = crypto.privateDecrypt(
    { key: privateKeyPem, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: Buffer.from(`${namespace}/${name}`) },
    data.subarray(2, 2 + rsaLength),
  );
  const aes = data.subarray(2 + rsaLength);
  const decipher = crypto.createDecipheriv('aes-256-gcm', sessionKey, Buffer.alloc(12));
  decipher.setAuthTag(aes.subarray(aes.length - 16));
  return Buffer.concat([decipher.update(aes.subarray(0, aes.length - 16)), decipher.final()]).toString('utf8');
}

/** A controller key pair like the one sealed-secrets generates (RSA 4096 there; 2048 here for speed). */
export function controllerKeys(): { publicKeyPem: string; privateKeyPem: string } {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

type Any = any;

/** What the controller does in the cluster: every SealedSecret becomes the Secret it seals. */
export function unsealAll<T extends { kind: string }>(objects: readonly T[], privateKeyPem: string): T[] {
  return objects.map((o: Any) => {
    if (o.kind !== 'SealedSecret') return o;
    const { namespace, name } = o.metadata;
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { ...o.spec.template.metadata, name, namespace },
      type: o.spec.template.type,
      stringData: Object.fromEntries(Object.entries<string>(o.spec.encryptedData).map(([k, v]) => [k, unseal(privateKeyPem, namespace, name, v)])),
    };
  });
}
