import * as fs from 'fs';
import * as path from 'path';
import { loadConfig, RegistryConfig } from './config';
import { ConfigError } from './config';
import { CREDENTIALS_FILE, Credentials, DEFAULT_STATE_DIR, deriveKey, resolveCredentials } from './credential-store';
import { Sealer, SealingError } from './seal';

/**
 * The one place that reads the config file, the environment and the
 * credentials store. Both synth steps (Kubernetes and k3s nodes) start here
 * and share nothing else.
 */

/** Picks the config file. */
export const CONFIG_ENV = 'K3S_REGISTRY_CONFIG';
/** Moves the local state folder (credentials, hash cache). */
export const STATE_DIR_ENV = 'K3S_REGISTRY_STATE_DIR';
/** The config file looked for in the working directory. */
export const USER_CONFIG_FILE = 'k3s-registry.yaml';
/** The built-in example, used when the user gives none. */
export const EXAMPLE_CONFIG_FILE = path.join(__dirname, '..', 'examples', 'k3s-registry.yaml');

export interface LoadOptions {
  /** Config file given on the command line. */
  readonly configFile?: string;
  /** State folder given on the command line. */
  readonly stateDir?: string;
  /** Generate passwords that are missing, even when a credentials file exists. */
  readonly generatePasswords?: boolean;
  readonly env: NodeJS.ProcessEnv;
}

export interface LoadedInputs {
  readonly config: RegistryConfig;
  readonly configFile: string;
  /** True when no config was given and the built-in example was used. */
  readonly usedExample: boolean;
  readonly credentials: Credentials;
  readonly stateDir: string;
}

export function configFileFor(opts: Pick<LoadOptions, 'configFile' | 'env'>): { file: string; usedExample: boolean } {
  const given = opts.configFile ?? opts.env[CONFIG_ENV];
  if (given) return { file: given, usedExample: false };
  if (fs.existsSync(USER_CONFIG_FILE)) return { file: USER_CONFIG_FILE, usedExample: false };
  return { file: EXAMPLE_CONFIG_FILE, usedExample: true };
}

/**
 * Loads and validates the config, then finds every password. On a first run
 * (no credentials file yet, outside CI) missing passwords are generated and
 * stored; later a missing password is an error, so a typo in a user name
 * cannot silently mint a new account.
 */
export function loadInputs(opts: LoadOptions): LoadedInputs {
  const { file, usedExample } = configFileFor(opts);
  const config = loadConfig(file, opts.env);
  const stateDir = opts.stateDir ?? opts.env[STATE_DIR_ENV] ?? DEFAULT_STATE_DIR;
  const firstRun = !fs.existsSync(path.join(stateDir, CREDENTIALS_FILE));
  const credentials = resolveCredentials(config.auth.users, {
    stateDir,
    env: opts.env,
    generateMissing: opts.generatePasswords === true || (firstRun && !opts.env.CI),
  });
  return { config, configFile: file, usedExample, credentials, stateDir };
}

/**
 * The sealer for `secrets.sealedSecrets`, or undefined when Secrets are
 * written in the clear. The certificate path is relative to the config file.
 * Seals are keyed by the http secret, so every machine with the same secrets
 * writes the same bytes.
 */
export function loadSealer(inputs: LoadedInputs): Sealer | undefined {
  const cert = inputs.config.secrets.sealedSecrets?.certificate;
  if (cert === undefined) return undefined;
  const file = path.resolve(path.dirname(inputs.configFile), cert);
  const field = `${inputs.configFile}: secrets.sealedSecrets.certificate`;
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${field}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)}); fetch it with: kubeseal --fetch-cert > sealed-secrets.pem`);
  }
  try {
    return new Sealer(pem, deriveKey(inputs.credentials.httpSecret, 'seal'));
  } catch (e) {
    if (e instanceof SealingError) throw new ConfigError(`${field}: ${file}: ${e.message}`);
    throw e;
  }
}

/** Tells the user which passwords were generated and where they are, never the passwords. */
export function reportGenerated(inputs: LoadedInputs, log: (line: string) => void): void {
  if (inputs.credentials.generated.length > 0) {
    log(`generated passwords for ${inputs.credentials.generated.join(', ')}; they are stored in ${inputs.credentials.file} (mode 0600), not printed`);
  }
}
