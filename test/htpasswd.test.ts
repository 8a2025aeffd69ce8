import * as fs from 'fs';
import * as path from 'path';
import * as bcrypt from 'bcryptjs';
import { derivedSalt, hashPasswords, HASH_CACHE_FILE, toHtpasswd } from '../lib/htpasswd';
import { tmpDir } from './helpers';

const key = Buffer.alloc(32, 1);
const passwords = new Map([['admin', 'correct horse'], ['pull', 'correct horse']]);

describe('htpasswd hashing', () => {
  test('salts are derived: same key and password give the same hash on a machine with no state', () => {
    const a = hashPasswords(passwords, { cost: 4, stateDir: tmpDir(), saltKey: key });
    const b = hashPasswords(passwords, { cost: 4, stateDir: tmpDir(), saltKey: key });
    expect(toHtpasswd(b.hashes)).toBe(toHtpasswd(a.hashes));
    expect(b.stats).toEqual({ cached: 0, hashed: 2 });
  });

  test('hashes verify with bcrypt; two users with the same password get different salts', () => {
    const { hashes } = hashPasswords(passwords, { cost: 4, stateDir: tmpDir(), saltKey: key });
    for (const [user, password] of passwords) expect(bcrypt.compareSync(password, hashes.get(user)!)).toBe(true);
    expect(bcrypt.getSalt(hashes.get('admin')!)).not.toBe(bcrypt.getSalt(hashes.get('pull')!));
  });

  test('another key gives other salts', () => {
    expect(derivedSalt(key, 10, 'admin', 'pw')).not.toBe(derivedSalt(Buffer.alloc(32, 2), 10, 'admin', 'pw'));
    expect(derivedSalt(key, 10, 'admin', 'pw')).toMatch(/^\$2b\$10\$[./A-Za-z0-9]{22}$/);
  });

  test('the cache makes an unchanged password free, is mode 0600 and never holds a password', () => {
    const dir = tmpDir();
    hashPasswords(passwords, { cost: 4, stateDir: dir, saltKey: key });
    const again = hashPasswords(passwords, { cost: 4, stateDir: dir, saltKey: key });
    expect(again.stats).toEqual({ cached: 2, hashed: 0 });
    const file = path.join(dir, HASH_CACHE_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).not.toContain('correct horse');
    const changedCost = hashPasswords(passwords, { cost: 5, stateDir: dir, saltKey: key });
    expect(changedCost.stats).toEqual({ cached: 0, hashed: 2 });
  });
});
