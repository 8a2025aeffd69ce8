import * as YAML from 'yaml';
import { z } from 'zod';
import { strict } from './strict';

/**
 * A typed model of k3s's /etc/rancher/k3s/registries.yaml, with only the
 * keys k3s reads. Entries are built as data, checked against the strict
 * schema (a wrong key or type is an error, never a silently ignored line)
 * and serialised once.
 * @see https://docs.k3s.io/installation/private-registry
 */

const mirror = strict({
  /** Endpoints containerd tries in order, e.g. https://registry.example.com. */
  endpoint: z.array(z.string().regex(/^https?:\/\/[^\s/]+(\/\S*)?$/)).min(1),
  /** Regex rewrites of image names for this mirror. */
  rewrite: z.record(z.string(), z.string()).optional(),
});

const registryConfig = strict({
  auth: strict({
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** base64 of username:password, as an alternative to the two fields. */
    auth: z.string().min(1).optional(),
  }).optional(),
  tls: strict({
    ca_file: z.string().startsWith('/').optional(),
    cert_file: z.string().startsWith('/').optional(),
    key_file: z.string().startsWith('/').optional(),
    insecure_skip_verify: z.boolean().optional(),
  }).optional(),
});

export const K3S_REGISTRIES_SCHEMA = strict({
  mirrors: z.record(z.string().min(1), mirror).optional(),
  configs: z.record(z.string().min(1), registryConfig).optional(),
});

export type K3sRegistries = z.infer<typeof K3S_REGISTRIES_SCHEMA>;
export type K3sMirror = z.infer<typeof mirror>;
export type K3sRegistryConfig = z.infer<typeof registryConfig>;

/** TLS settings for the nodes' connection to the registry. */
export interface NodeTls {
  /** CA bundle for a registry certificate from a private CA. */
  readonly caFile?: string;
  /** Client certificate and key, for registries that want one. */
  readonly certFile?: string;
  readonly keyFile?: string;
  /** Skip certificate verification. Only for testing. */
  readonly insecureSkipVerify: boolean;
}

export interface PrivateRegistryEntry {
  /** The registry host as it appears in image names (registry.example.com). */
  readonly host: string;
  readonly username: string;
  readonly password: string;
  readonly tls?: NodeTls;
}

/** Adds the mirror and credentials of one private registry to the model. */
export function addPrivateRegistry(model: K3sRegistries, entry: PrivateRegistryEntry): K3sRegistries {
  const tls = entry.tls && {
    ...(entry.tls.caFile ? { ca_file: entry.tls.caFile } : {}),
    ...(entry.tls.certFile ? { cert_file: entry.tls.certFile } : {}),
    ...(entry.tls.keyFile ? { key_file: entry.tls.keyFile } : {}),
    ...(entry.tls.insecureSkipVerify ? { insecure_skip_verify: true } : {}),
  };
  const config: K3sRegistryConfig = {
    auth: { username: entry.username, password: entry.password },
    ...(tls && Object.keys(tls).length > 0 ? { tls } : {}),
  };
  return {
    mirrors: { ...model.mirrors, [entry.host]: { endpoint: [`https://${entry.host}`] } },
    configs: { ...model.configs, [entry.host]: config },
  };
}

/** Checks the model against k3s's schema; throws naming the key. Never echoes values (one is a password). */
export function checkK3sRegistries(model: unknown): K3sRegistries {
  const result = K3S_REGISTRIES_SCHEMA.safeParse(model);
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const where = i.path.map(String).join('.');
      if (i.code === z.ZodIssueCode.unrecognized_keys) return `registries.yaml: ${[...i.keys].map((k) => (where ? `${where}.${k}` : k)).join(', ')}: not a key k3s reads`;
      return `registries.yaml: ${where}: ${i.code === z.ZodIssueCode.invalid_type ? `expected ${i.expected}` : 'invalid value'}`;
    });
    throw new Error(lines.join('\n'));
  }
  return result.data;
}

export function renderK3sRegistries(model: K3sRegistries, header: string): string {
  return header + YAML.stringify(checkK3sRegistries(model));
}
