import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as bcrypt from 'bcryptjs';
import { writeFileAtomic } from './output';

/**
 * bcrypt htpasswd lines that stay byte-identical across re-synths.
 *
 * bcrypt salts are random, so hashing again on every run would change the
 * output. A hash is therefore reused while the password is unchanged:
 *   1. the local hash cache keeps, per user, the hash next to an HMAC of the
 *      password under a random local key: a match costs no bcrypt work;
 *   2. otherwise a hash found in the previous output (e.g. a fresh clone of a
 *      repo whose dist/ is committed) is checked with one bcrypt compare;
 *   3. otherwise the password is hashed anew.
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
  /** user -> hash from the previous output, if any. */
  readonly previous?: ReadonlyMap<string, string>;
}

export interface HashResult {
  /** user -> bcrypt hash, in the order the passwords were given. */
  readonly hashes: ReadonlyMap<string, string>;
  /** How each hash was obtained, for reporting and benchmarks. */
  readonly stats: { readonly cached: number; readonly compared: number; readonly hashed: number };
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

function fingerprint(key: string, cost: number, user: string, password: string): string {
  return crypto.createHmac('sha256', Buffer.from(key, 'hex')).update(`${cost}\0${user}\0${password}`).digest('hex');
}

function costOf(hash: string): number | undefined {
  const match = /^\$2[aby]\$([0-9]{2})\$/.exec(hash);
  return match ? Number(match[1]) : undefined;
}

/** bcrypt-hashes each password, reusing earlier hashes of unchanged passwords. */
export function hashPasswords(passwords: ReadonlyMap<string, string>, opts: HashOptions): HashResult {
  const file = path.join(opts.stateDir, HASH_CACHE_FILE);
  const cache = readCache(file);
  const key = cache?.key ?? crypto.randomBytes(32).toString('hex');
  const users: Record<string, CacheEntry> = {};
  const hashes = new Map<string, string>();
  const stats = { cached: 0, compared: 0, hashed: 0 };

  for (const [user, password] of passwords) {
    const fp = fingerprint(key, opts.cost, user, password);
    let hash: string | undefined;
    const entry = cache?.users[user];
    if (entry && entry.fingerprint === fp) {
      hash = entry.hash;
      stats.cached++;
    } else {
      const prev = opts.previous?.get(user);
      // A cache entry holding this very hash under another fingerprint
      // proves the password changed: skip the compare.
      const knownChanged = entry !== undefined && entry.hash === prev;
      if (prev && !knownChanged && costOf(prev) === opts.cost) {
        stats.compared++;
        if (bcrypt.compareSync(password, prev)) hash = prev;
      }
      if (!hash) {
        hash = bcrypt.hashSync(password, bcrypt.genSaltSync(opts.cost));
        stats.hashed++;
      }
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

/** Parses htpasswd text into user -> hash (ignores blank and comment lines). */
export function parseHtpasswd(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return out;
}
