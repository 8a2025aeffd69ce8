import * as YAML from 'yaml';

/**
 * The distribution registry's `config.yml`, built as typed data and
 * serialised once. Only the fields we set are modelled.
 * @see https://distribution.github.io/distribution/about/configuration/
 */

/** Where the registry stores blobs and manifests inside the container. */
export const STORAGE_ROOT = '/var/lib/registry';
/** The port the registry listens on. */
export const REGISTRY_PORT = 5000;

export interface DistributionConfig {
  readonly version: '0.1';
  readonly log: { readonly level: 'error' | 'warn' | 'info' | 'debug'; readonly formatter: 'text' | 'json' };
  readonly storage: {
    readonly filesystem: { readonly rootdirectory: string };
    readonly delete: { readonly enabled: boolean };
    readonly cache: { readonly blobdescriptor: 'inmemory' };
    readonly maintenance: { readonly uploadpurging: { readonly enabled: boolean; readonly age: string; readonly interval: string; readonly dryrun: boolean } };
  };
  readonly http: {
    readonly addr: string;
    readonly headers: Record<string, string[]>;
  };
  readonly health: {
    readonly storagedriver: { readonly enabled: boolean; readonly interval: string; readonly threshold: number };
  };
}

export interface DistributionConfigOptions {
  /** Allow deleting manifests and blobs through the API. */
  readonly deleteEnabled: boolean;
}

/**
 * The registry config. There is no `auth` section on purpose: basic auth is
 * checked at the ingress, and the UI reaches the registry through the
 * internal Service without credentials. `http.secret` is not here either; it
 * comes from a Secret through the REGISTRY_HTTP_SECRET variable.
 */
export function distributionConfig(opts: DistributionConfigOptions): DistributionConfig {
  return {
    version: '0.1',
    log: { level: 'info', formatter: 'text' },
    storage: {
      filesystem: { rootdirectory: STORAGE_ROOT },
      delete: { enabled: opts.deleteEnabled },
      cache: { blobdescriptor: 'inmemory' },
      maintenance: { uploadpurging: { enabled: true, age: '168h', interval: '24h', dryrun: false } },
    },
    http: {
      addr: `:${REGISTRY_PORT}`,
      headers: { 'X-Content-Type-Options': ['nosniff'] },
    },
    health: {
      storagedriver: { enabled: true, interval: '10s', threshold: 3 },
    },
  };
}

export function renderDistributionConfig(config: DistributionConfig): string {
  return YAML.stringify(config);
}

/** The folder the image reads `config.yml` from, by distribution major version. */
export function configDirectory(major: 2 | 3): string {
  return major === 3 ? '/etc/distribution' : '/etc/docker/registry';
}
