import * as fs from 'fs';
import * as YAML from 'yaml';
import { z } from 'zod';
import { strict } from './strict';
import { BINARY_SIZE, CPU, ResourceQuantities, toMebibytes, toMillicores } from './quantity';
import { DEFAULT_REGISTRY_IMAGE, DEFAULT_REGISTRY_RESOURCES } from './registry';
import { DEFAULT_UI_IMAGE, DEFAULT_UI_RESOURCES } from './ui';

/**
 * The one config file: its schema, its defaults and the environment
 * overrides. `loadConfig()` is the only way in; everything downstream works
 * on the resolved, validated `RegistryConfig`.
 */

/** Environment variables that override config fields (handy in CI). */
export const ENV = {
  /** Overrides `domain`. */
  DOMAIN: 'K3S_REGISTRY_DOMAIN',
  /** Overrides `namespace`. */
  NAMESPACE: 'K3S_REGISTRY_NAMESPACE',
} as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;
const IMAGE = /^(?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*:([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})(?:@sha256:[a-f0-9]{64})?$/;
const USER_NAME = /^[a-z_][a-z0-9_.-]{0,31}$/;
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const EMAIL = /^[^\s@:]+@[^\s@:]+\.[^\s@:]+$/;

/** The ingress classes whose basic-auth middleware we know how to emit. */
export const SUPPORTED_INGRESS_CLASSES = ['traefik'] as const;

/** A string matching `re`; the message is built from the value received. */
function matching(re: RegExp, message: (value: string) => string) {
  return z.string().refine((v) => re.test(v), (v) => ({ message: message(v) }));
}

function dnsName(what: string) {
  return matching(DNS_NAME, (v) => `'${v}' is not a DNS name; use lowercase letters, digits, '-' and dots, like ${what}`);
}

function image(example: string) {
  return z.string().superRefine((v, ctx) => {
    const match = IMAGE.exec(v);
    if (!match) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `'${v}' is not a pinned image reference; write repository:tag, e.g. '${example}'` });
    } else if (match[2] === 'latest') {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `'${v}' uses the tag 'latest', which moves under you; pin a version, e.g. '${example}'` });
    }
  });
}

const absolutePath = matching(/^\/[^\0]*$/,
  (v) => `'${v}' is not an absolute path; k3s reads it on the node, so write e.g. '/etc/rancher/k3s/registry-ca.pem'`);

const cpu = matching(CPU, (v) => `'${v}' is not a CPU quantity; use e.g. '100m' or '1'`);
const memory = matching(BINARY_SIZE, (v) => `'${v}' is not a memory size; use e.g. '128Mi' or '1Gi'`);

/** Requests and limits; every field optional, defaulting to the component's own. */
function resources(d: ResourceQuantities) {
  return strict({
    requests: strict({ cpu: cpu.default(d.requests.cpu), memory: memory.default(d.requests.memory) }).default({}),
    limits: strict({ cpu: cpu.optional().transform((v) => v ?? d.limits.cpu), memory: memory.default(d.limits.memory) }).default({}),
  }).default({}).superRefine((r, ctx) => {
    // The API server rejects a request above its limit. (Runs after field errors too: compare only valid values.)
    const valid = CPU.test(r.requests.cpu) && BINARY_SIZE.test(r.requests.memory) && BINARY_SIZE.test(r.limits.memory)
      && (r.limits.cpu === undefined || CPU.test(r.limits.cpu));
    if (!valid) return;
    if (r.limits.cpu !== undefined && toMillicores(r.requests.cpu) > toMillicores(r.limits.cpu)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['requests', 'cpu'], message: `'${r.requests.cpu}' is above limits.cpu '${r.limits.cpu}'; a request cannot exceed its limit` });
    }
    if (toMebibytes(r.requests.memory) > toMebibytes(r.limits.memory)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['requests', 'memory'], message: `'${r.requests.memory}' is above limits.memory '${r.limits.memory}'; a request cannot exceed its limit` });
    }
  });
}

const schema = strict({
  domain: dnsName('example.com'),
  namespace: matching(DNS_LABEL, (v) => `'${v}' is not a namespace name; use a DNS label such as 'registry'`).default('registry'),
  hosts: strict({
    registry: dnsName('registry.example.com').optional(),
    ui: dnsName('registry-ui.example.com').optional(),
  }).default({}),
  ingress: strict({
    className: z.string().refine((v) => (SUPPORTED_INGRESS_CLASSES as readonly string[]).includes(v), (v) => ({
      message: `'${v}' is not a supported ingress class; basic auth is a Traefik Middleware, so use 'traefik' (the k3s default)`,
    })).default('traefik'),
  }).default({}),
  tls: strict({
    issuer: strict({
      kind: z.enum(['ClusterIssuer', 'Issuer']).default('ClusterIssuer'),
      name: matching(OBJECT_NAME, (v) => `'${v}' is not an issuer name; use e.g. 'letsencrypt-prod'`).default('letsencrypt-prod'),
    }).default({}),
    clusterIssuer: strict({
      email: matching(EMAIL, (v) => `'${v}' is not an email address; ACME needs one for expiry notices`),
      server: matching(/^https:\/\/[^\s/]+(\/\S*)?$/, (v) => `'${v}' is not an https URL of an ACME directory`)
        .default('https://acme-v02.api.letsencrypt.org/directory'),
    }).optional(),
  }).default({}),
  storage: strict({
    size: matching(BINARY_SIZE, (v) => `'${v}' is not a Kubernetes quantity; use e.g. '20Gi'`)
      .refine((v) => !BINARY_SIZE.test(v) || toMebibytes(v) >= 1024, (v) => ({ message: `'${v}' is below 1Gi; the registry needs room for layers, e.g. '20Gi'` }))
      .default('20Gi'),
    storageClassName: matching(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, (v) => `'${v}' is not a storage class name; use e.g. 'local-path'`).optional(),
    accessMode: z.enum(['ReadWriteOnce', 'ReadWriteOncePod', 'ReadWriteMany']).default('ReadWriteOnce'),
  }).default({}),
  registry: strict({
    image: image(DEFAULT_REGISTRY_IMAGE).default(DEFAULT_REGISTRY_IMAGE),
    deleteEnabled: z.boolean().default(true),
    resources: resources(DEFAULT_REGISTRY_RESOURCES),
  }).default({}),
  ui: strict({
    enabled: z.boolean().default(true),
    public: z.boolean().default(false),
    image: image(DEFAULT_UI_IMAGE).default(DEFAULT_UI_IMAGE),
    title: z.string().min(1).max(100).default('Docker registry'),
    deleteImages: z.boolean().default(true),
    resources: resources(DEFAULT_UI_RESOURCES),
  }).default({}),
  auth: strict({
    realm: matching(/^[^"\\]{1,64}$/, () => 'must be 1 to 64 characters without quotes or backslashes').default('k3s-registry'),
    bcryptCost: z.number().int().min(4).max(15).default(10),
    users: z.array(z.object({
      name: matching(USER_NAME, (v) => `'${v}' is not a user name; use lowercase letters, digits, '_', '.', '-' (at most 32)`),
    }).strict()).min(1, { message: 'needs at least one user' }).default([{ name: 'admin' }, { name: 'pull' }]),
  }).default({}),
  secrets: strict({
    sealedSecrets: strict({
      certificate: z.string().min(1, { message: "needs the controller's certificate file; fetch it with: kubeseal --fetch-cert > sealed-secrets.pem" }),
    }).optional(),
  }).default({}),
  nodes: strict({
    pullUser: z.string().default('pull'),
    tls: strict({
      caFile: absolutePath.optional(),
      certFile: absolutePath.optional(),
      keyFile: absolutePath.optional(),
      insecureSkipVerify: z.boolean().default(false),
    }).optional(),
  }).default({}),
}).superRefine((cfg, ctx) => {
  const seen = new Map<string, number>();
  cfg.auth.users.forEach((u, i) => {
    if (seen.has(u.name)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['auth', 'users', i, 'name'], message: `'${u.name}' is listed twice (also at auth.users[${seen.get(u.name)}]); each user needs one entry` });
    }
    seen.set(u.name, i);
  });
  if (cfg.tls.clusterIssuer && cfg.tls.issuer.kind !== 'ClusterIssuer') {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['tls', 'issuer', 'kind'], message: `is '${cfg.tls.issuer.kind}' but tls.clusterIssuer asks to emit a ClusterIssuer; set it to ClusterIssuer or drop tls.clusterIssuer` });
  }
  const major = majorVersion(cfg.registry.image);
  const tag = IMAGE.exec(cfg.registry.image)?.[2];
  if (tag && tag !== 'latest' && major !== 2 && major !== 3) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['registry', 'image'], message: `'${cfg.registry.image}' has no distribution 2.x or 3.x tag; use e.g. '${DEFAULT_REGISTRY_IMAGE}' or 'registry:3.0.0'` });
  }
});

/** A registry user; passwords never live in the config. */
export interface UserConfig {
  readonly name: string;
}

/** The validated config with every default resolved. */
export type RegistryConfig = z.output<typeof schema> & {
  /** Resolved host names. */
  readonly hosts: { readonly registry: string; readonly ui: string };
  /** Distribution major version, from the registry image tag. */
  readonly distributionMajor: 2 | 3;
};

/** Raised for any bad input; `message` is ready to show to a user. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function majorVersion(ref: string): number | undefined {
  const tag = IMAGE.exec(ref)?.[2];
  const match = tag ? /^v?([0-9]+)\./.exec(tag) : null;
  return match ? Number(match[1]) : undefined;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

/**
 * Validates raw config data (already parsed from YAML) and resolves defaults
 * and environment overrides. Throws `ConfigError` listing every problem, one
 * line each, as `<source>: <field>: <what is wrong and how to fix it>`.
 */
export function resolveConfig(raw: unknown, env: NodeJS.ProcessEnv = {}, source = 'config'): RegistryConfig {
  const input: Record<string, unknown> = raw && typeof raw === 'object' && !Array.isArray(raw) ? { ...(raw as object) } : {};
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError(`${source}: the file must hold a YAML mapping (key: value lines), not a ${Array.isArray(raw) ? 'list' : typeof raw}`);
  }
  if (env[ENV.DOMAIN]) input.domain = env[ENV.DOMAIN];
  if (env[ENV.NAMESPACE]) input.namespace = env[ENV.NAMESPACE];

  const result = schema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const field = formatPath(issue.path);
      if (issue.code === z.ZodIssueCode.unrecognized_keys) {
        const where = field ? `${field}.` : '';
        return `${source}: ${issue.keys.map((k) => where + k).join(', ')}: unknown field; check the spelling against the config reference in README.md`;
      }
      if (issue.code === z.ZodIssueCode.invalid_type && issue.received === 'undefined') {
        return `${source}: ${field}: is required`;
      }
      return `${source}: ${field || '(top level)'}: ${issue.message}`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  const cfg = result.data;
  return {
    ...cfg,
    hosts: {
      registry: cfg.hosts.registry ?? `registry.${cfg.domain}`,
      ui: cfg.hosts.ui ?? `registry-ui.${cfg.domain}`,
    },
    distributionMajor: majorVersion(cfg.registry.image) as 2 | 3,
  };
}

/** Reads and resolves a YAML config file. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = {}): RegistryConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${file}: cannot read the config file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(`${file}: not valid YAML: ${doc.errors[0].message}`);
  }
  return resolveConfig(doc.toJS(), env, file);
}
