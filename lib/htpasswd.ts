import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as bcrypt from 'bcryptjs';
import { writeFileAtomic } from './output';

/**
 * bcrypt htpasswd lines that stay byte-identical across re-synths.
 *
 * A random salt would change the output on every run. The salt is instead
 * derived with HMAC-SHA256 under a secret key (the loader derives it from
 * the registry's http secret) from the user and the password: unique per
 * user and deployment, unpredictable without the key, and the same on every
 * machine for an unchanged password, a fresh clone in CI included.
 *
 * bcrypt costs ~70 ms per user at cost 10, so a local cache keeps each hash
 * next to an HMAC of the password under a random local key: an unchanged
 * password costs no bcrypt work at all.
 */

export const HASH_CACHE_FILE = 'hash-cache.json';

interface CacheEntry {
  readonly fingerprint: string;
  readonly hash: string;
}

interface CacheFile {
  readonly key: string;
  readonly users: Record<string, CacheEntry>;
}

export interface HashOptions {
  /** bcrypt cost factor (log2 rounds). */
  readonly cost: number;
  /** Folder holding the hash cache (mode 0600). */
  readonly stateDir: string;
  /** Secret key the salts are derived from. */
  readonly saltKey: Buffer;
}

export interface HashResult {
  /** user -> bcrypt hash, in the order the passwords were given. */
  readonly hashes: ReadonlyMap<string, string>;
  /** How each hash was obtained, for reporting and benchmarks. */
  readonly stats: { readonly cached: number; readonly hashed: number };
}

function readCache(file: string): CacheFile | undefined {
  try {
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as CacheFile;
    if (typeof data.key === 'string' && data.key.length === 64 && data.users && typeof data.users === 'object') return data;
  } catch {
    // Missing or damaged: start a new cache (it only saves time).
  }
  return undefined;
}

function fingerprint(key: string, cost: number, saltKey: Buffer, user: string, password: string): string {
  return crypto.createHmac('sha256', Buffer.from(key, 'hex'))
    .update(`${cost}\0${user}\0${password}\0`).update(saltKey).digest('hex');
}

/** The bcrypt salt for a user's password: 16 bytes of HMAC, in bcrypt's own base64. */
export function derivedSalt(saltKey: Buffer, cost: number, user: string, password: string): string {
  const bytes = crypto.createHmac('sha256', saltKey).update(`bcrypt-salt\0${user}\0${password}`).digest().subarray(0, 16);
  return `$2b$${String(cost).padStart(2, '0')}$${bcrypt.encodeBase64(bytes, 16)}`;
}

/** bcrypt-hashes each password, reusing earlier hashes of unchanged passwords. */
export function hashPasswords(passwords: ReadonlyMap<string, string>, opts: HashOptions): HashResult {
  const file = path.join(opts.stateDir, HASH_CACHE_FILE);
  const cache = readCache(file);
  const key = cache?.key ?? crypto.randomBytes(32).toString('hex');
  const users: Record<string, CacheEntry> = {};
  const hashes = new Map<string, string>();
  const stats = { cached: 0, hashed: 0 };

  for (const [user, password] of passwords) {
    const fp = fingerprint(key, opts.cost, opts.saltKey, user, password);
    const entry = cache?.users[user];
    let hash: string;
    if (entry && entry.fingerprint === fp) {
      hash = entry.hash;
      stats.cached++;
    } else {
      hash = bcrypt.hashSync(password, derivedSalt(opts.saltKey, opts.cost, user, password));
      stats.hashed++;
    }
    hashes.set(user, hash);
    users[user] = { fingerprint: fp, hash };
  }

  const next: CacheFile = { key, users };
  const changed = !cache || JSON.stringify(cache) !== JSON.stringify(next);
  if (changed) writeFileAtomic(file, JSON.stringify(next, null, 2) + '\n', 0o600);
  return { hashes, stats };
}

/** Serialises htpasswd lines (`user:hash`), one per line, in map order. */
export function toHtpasswd(hashes: ReadonlyMap<string, string>): string {
  return [...hashes].map(([user, hash]) => `${user}:${hash}\n`).join('');
}
