import * as crypto from 'crypto';

/**
 * Offline sealing for Bitnami Sealed Secrets, so Secrets can live in Git.
 *
 * The format is the controller's hybrid scheme: a 32-byte AES-256-GCM
 * session key (zero nonce, each key seals one value), wrapped with RSA-OAEP
 * (SHA-256, label `<namespace>/<name>` for the default strict scope), laid
 * out as `uint16 length of RSA ciphertext || RSA ciphertext || AES-GCM
 * ciphertext with tag`, base64-encoded.
 *
 * kubeseal draws the session key and the OAEP seed at random, so every run
 * would change dist/. Here both are derived with HMAC-SHA256 under a secret
 * key from the value, its scope and the controller's key: the same input
 * seals to the same bytes on every machine, a changed value or a new
 * controller key to new ones. The only thing this reveals is that a value
 * did not change. OAEP is encoded here (RFC 8017, 7.1.1) so that the seed
 * can be chosen; the RSA step itself is node's.
 */

const HASH_LEN = 32; // SHA-256

function sha256(data: Buffer): Buffer {
  return crypto.createHash('sha256').update(data).digest();
}

/** MGF1 with SHA-256 (RFC 8017, B.2.1). */
function mgf1(seed: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0; blocks.length * HASH_LEN < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    blocks.push(sha256(Buffer.concat([seed, c])));
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function xor(a: Buffer, b: Buffer): Buffer {
  return Buffer.from(a.map((byte, i) => byte ^ b[i]));
}

/** EME-OAEP encoding with SHA-256 and MGF1-SHA-256 for a `k`-byte modulus. */
export function oaepEncode(message: Buffer, label: Buffer, seed: Buffer, k: number): Buffer {
  if (seed.length !== HASH_LEN) throw new Error(`OAEP seed must be ${HASH_LEN} bytes`);
  if (message.length > k - 2 * HASH_LEN - 2) throw new Error('message too long for OAEP with this key');
  const db = Buffer.concat([sha256(label), Buffer.alloc(k - message.length - 2 * HASH_LEN - 2), Buffer.from([1]), message]);
  const maskedDb = xor(db, mgf1(seed, k - HASH_LEN - 1));
  const maskedSeed = xor(seed, mgf1(maskedDb, HASH_LEN));
  return Buffer.concat([Buffer.from([0]), maskedSeed, maskedDb]);
}

/** Raised for an unusable sealing certificate. */
export class SealingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealingError';
  }
}

/** Seals values for one sealed-secrets controller. Pure: the same inputs give the same output. */
export class Sealer {
  /** SHA-256 of the controller's public key (DER), hex. */
  public readonly keyFingerprint: string;
  private readonly publicKey: crypto.KeyObject;
  private readonly modulusBytes: number;

  /**
   * @param certificatePem the controller's certificate (`kubeseal --fetch-cert`) or its public key, PEM
   * @param key secret key the session keys and OAEP seeds are derived from
   */
  constructor(certificatePem: string, private readonly key: Buffer) {
    let publicKey: crypto.KeyObject;
    try {
      publicKey = certificatePem.includes('BEGIN CERTIFICATE')
        ? new crypto.X509Certificate(certificatePem).publicKey
        : crypto.createPublicKey(certificatePem);
    } catch (e) {
      throw new SealingError(`not a PEM certificate or public key (${(e as Error).message}); fetch it with: kubeseal --fetch-cert > sealed-secrets.pem`);
    }
    const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
    if (publicKey.asymmetricKeyType !== 'rsa' || bits < 2048) {
      throw new SealingError(`the sealed-secrets controller uses RSA keys of 2048 bits or more; this key is ${publicKey.asymmetricKeyType} ${bits || '?'} bits`);
    }
    if (key.length < 32) throw new SealingError('the sealing key must be at least 32 bytes');
    this.publicKey = publicKey;
    this.modulusBytes = Math.ceil(bits / 8);
    this.keyFingerprint = sha256(publicKey.export({ type: 'spki', format: 'der' })).toString('hex');
  }

  /**
   * Seals one value for the Secret `name` in `namespace` (strict scope: the
   * controller only unseals it into that Secret). Returns base64.
   */
  public seal(namespace: string, name: string, value: string): string {
    const label = Buffer.from(`${namespace}/${name}`);
    const plaintext = Buffer.from(value, 'utf8');
    const derive = (purpose: string) => crypto.createHmac('sha256', this.key)
      .update(`${purpose}\0${this.keyFingerprint}\0`).update(label).update('\0').update(plaintext).digest();
    const sessionKey = derive('session-key');
    const seed = derive('oaep-seed');

    const rsa = crypto.publicEncrypt(
      { key: this.publicKey, padding: crypto.constants.RSA_NO_PADDING },
      oaepEncode(sessionKey, label, seed, this.modulusBytes),
    );
    const cipher = crypto.createCipheriv('aes-256-gcm', sessionKey, Buffer.alloc(12));
    const aes = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(rsa.length);
    return Buffer.concat([length, rsa, aes]).toString('base64');
  }
}
