import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { ConfigError, UserConfig } from './config';
import { writeFileAtomic } from './output';

/**
 * The credentials store: where plaintext passwords come from. Environment
 * variables win; otherwise a gitignored YAML file (mode 0600) in the state
 * directory. Nothing here ever prints a password.
 */

/** Folder for local, gitignored state (credentials and the hash cache). */
export const DEFAULT_STATE_DIR = '.k3s-registry';
export const CREDENTIALS_FILE = 'credentials.yaml';

/** Prefix of the per-user password variables: K3S_REGISTRY_PASSWORD_<USER>. */
export const PASSWORD_ENV_PREFIX = 'K3S_REGISTRY_PASSWORD_';
/** Overrides the registry's `http.secret`. */
export const HTTP_SECRET_ENV = 'K3S_REGISTRY_HTTP_SECRET';

/** The environment variable that holds a user's password. */
export function passwordEnvVar(user: string): string {
  return PASSWORD_ENV_PREFIX + user.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/**
 * A key for one purpose (e.g. 'bcrypt-salt'), derived from the http secret
 * with HMAC-SHA256. Deterministic output needs secret keys that every
 * machine running the synth has; the http secret is already one of them.
 */
export function deriveKey(httpSecret: string, purpose: string): Buffer {
  return crypto.createHmac('sha256', httpSecret).update(`k3s-registry/${purpose}`).digest();
}

export interface Credentials {
  /** Plaintext password per user name, in config order. */
  readonly passwords: ReadonlyMap<string, string>;
  /** The registry's http.secret. */
  readonly httpSecret: string;
  /** Users whose password was generated on this run. */
  readonly generated: readonly string[];
  /** The credentials file, as read or written. */
  readonly file: string;
}

export interface ResolveCredentialsOptions {
  /** Folder holding `credentials.yaml`. */
  readonly stateDir: string;
  readonly env: NodeJS.ProcessEnv;
  /**
   * Generate and store what is missing (first run). When false a missing
   * password is an error.
   */
  readonly generateMissing: boolean;
}

interface StoreFile {
  users?: Record<string, string>;
  httpSecret?: string;
}

function readStore(file: string): StoreFile {
  if (!fs.existsSync(file)) return {};
  const mode = fs.statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new ConfigError(`${file}: holds passwords but is readable by others (mode ${mode.toString(8)}); run: chmod 600 ${file}`);
  }
  let data: unknown;
  try {
    data = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    // The parser's message quotes the offending line, which may hold a password: say only where.
    const pos = (e as { linePos?: { line: number }[] }).linePos?.[0];
    throw new ConfigError(`${file}: not valid YAML${pos ? ` (line ${pos.line})` : ''}; fix or delete the file`);
  }
  if (data === null || data === undefined) return {};
  const store = data as StoreFile;
  const usersOk = store.users === undefined || (typeof store.users === 'object' && !Array.isArray(store.users)
    && Object.values(store.users).every((p) => typeof p === 'string' && p.length > 0));
  if (typeof data !== 'object' || Array.isArray(data) || !usersOk
    || (store.httpSecret !== undefined && typeof store.httpSecret !== 'string')) {
    throw new ConfigError(`${file}: expected 'users:' (a map of user name to password) and 'httpSecret:' (a string); fix or delete the file`);
  }
  return store;
}

/** A strong random password: 32 characters of base64url, 192 bits. */
export function generatePassword(): string {
  return crypto.randomBytes(24).toString('base64url');
}

/**
 * Finds a password for every user (environment first, then the credentials
 * file) and the registry's http.secret. Generates and stores what is missing
 * when allowed; otherwise throws naming the user and the two ways to supply it.
 */
export function resolveCredentials(users: readonly UserConfig[], opts: ResolveCredentialsOptions): Credentials {
  const file = path.join(opts.stateDir, CREDENTIALS_FILE);
  const store = readStore(file);
  const stored = { ...(store.users ?? {}) };
  const passwords = new Map<string, string>();
  const generated: string[] = [];
  const missing: string[] = [];

  users.forEach((user, i) => {
    const fromEnv = opts.env[passwordEnvVar(user.name)];
    const password = fromEnv || stored[user.name];
    if (password) {
      passwords.set(user.name, password);
    } else if (opts.generateMissing) {
      stored[user.name] = generatePassword();
      passwords.set(user.name, stored[user.name]);
      generated.push(user.name);
    } else {
      missing.push(`auth.users[${i}] '${user.name}': no password; set ${passwordEnvVar(user.name)} or add it under 'users:' in ${file}`
        + ' (or run `npm run synth -- --generate-passwords` to create one)');
    }
  });

  let httpSecret = opts.env[HTTP_SECRET_ENV] || store.httpSecret;
  let newSecret = false;
  if (!httpSecret) {
    if (opts.generateMissing) {
      httpSecret = crypto.randomBytes(32).toString('hex');
      newSecret = true;
    } else {
      missing.push(`registry http.secret: none stored; set ${HTTP_SECRET_ENV} or add 'httpSecret:' to ${file}`);
    }
  }
  if (missing.length > 0) throw new ConfigError(missing.join('\n'));

  if (generated.length > 0 || newSecret) {
    const next: StoreFile = { users: stored, httpSecret: newSecret ? httpSecret : store.httpSecret };
    const header = '# k3s-registry credentials: plaintext passwords. Keep this file private (mode 0600, gitignored).\n';
    writeFileAtomic(file, header + YAML.stringify(next), 0o600);
  }
  return { passwords, httpSecret: httpSecret!, generated, file };
}
