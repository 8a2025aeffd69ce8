import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Sealer, SealingError } from '../lib/seal';
import { tmpDir } from './helpers';
import { controllerKeys, unseal } from './support/unseal';

const keys = controllerKeys();
const key = Buffer.alloc(32, 7);

describe('sealing', () => {
  test('the controller (node OpenSSL OAEP + AES-GCM) unseals what we seal, for the same namespace/name only', () => {
    const sealer = new Sealer(keys.publicKeyPem, key);
    const sealed = sealer.seal('registry', 'registry-basic-auth', 'admin:$2b$10$hash\n');
    expect(unseal(keys.privateKeyPem, 'registry', 'registry-basic-auth', sealed)).toBe('admin:$2b$10$hash\n');
    expect(() => unseal(keys.privateKeyPem, 'registry', 'other-secret', sealed)).toThrow();
    expect(() => unseal(keys.privateKeyPem, 'default', 'registry-basic-auth', sealed)).toThrow();
  });

  test('deterministic: same value, scope and key give the same bytes; any change gives others', () => {
    const sealer = new Sealer(keys.publicKeyPem, key);
    const a = sealer.seal('registry', 's', 'value');
    expect(new Sealer(keys.publicKeyPem, key).seal('registry', 's', 'value')).toBe(a);
    expect(sealer.seal('registry', 's', 'value2')).not.toBe(a);
    expect(sealer.seal('registry', 't', 'value')).not.toBe(a);
    expect(new Sealer(keys.publicKeyPem, Buffer.alloc(32, 8)).seal('registry', 's', 'value')).not.toBe(a);
  });

  test('the layout: uint16 RSA length, 256-byte RSA block for a 2048-bit key, AES-GCM ciphertext plus 16-byte tag', () => {
    const data = Buffer.from(new Sealer(keys.publicKeyPem, key).seal('ns', 'n', 'twelve bytes'), 'base64');
    expect(data.readUInt16BE(0)).toBe(256);
    expect(data.length).toBe(2 + 256 + 12 + 16);
  });

  test('accepts the certificate kubeseal --fetch-cert prints', () => {
    const dir = tmpDir();
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem'), '-days', '1', '-subj', '/O=sealed-secret/CN='], { stdio: 'ignore' });
    const sealer = new Sealer(fs.readFileSync(path.join(dir, 'c.pem'), 'utf8'), key);
    const sealed = sealer.seal('registry', 'x', 'secret value');
    expect(unseal(fs.readFileSync(path.join(dir, 'k.pem'), 'utf8'), 'registry', 'x', sealed)).toBe('secret value');
  });

  test('refuses keys the controller never has', () => {
    expect(() => new Sealer('not a pem', key)).toThrow(SealingError);
    const { publicKey } = require('crypto').generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => new Sealer(publicKey.export({ type: 'spki', format: 'pem' }), key)).toThrow('the sealed-secrets controller uses RSA keys of 2048 bits or more; this key is ec ? bits');
  });
});
