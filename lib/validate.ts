import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import * as YAML from 'yaml';
import { writeFileAtomic } from './output';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';

/**
 * Checks every object against its API schema before anything is written:
 * built-in kinds against the Kubernetes OpenAPI schemas (kubernetes-models),
 * custom resources against the openAPIV3Schema of the CRD files in `crds/`,
 * with unknown fields rejected as the API server's strict field validation
 * does. Each problem names the object and the path of the bad field.
 */

/** A Kubernetes object as synthesized. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly [key: string]: unknown;
}

/** Where the vendored CRD files live, relative to lib/ and to the bundle in .build/. */
export const CRD_DIR = path.join(__dirname, '..', 'crds');
/**
 * Compiled CRD validators, cached as standalone code keyed by the CRD
 * file's content: parsing a CRD and compiling its schema costs more than
 * the rest of a synth, and both depend only on the file.
 */
export const VALIDATOR_CACHE_DIR = path.join(__dirname, '..', '.build', 'validators');
// A new ajv may generate code for another runtime: it gets its own cache entries.
const CACHE_VERSION = `v1-ajv${(require('ajv/package.json') as { version: string }).version}`; // eslint-disable-line @typescript-eslint/no-require-imports

interface ModelClass {
  new (data: object): { validate(): void };
}

/**
 * Built-in kinds we can check, and the schema version behind them.
 * kubernetes-models 4.4 carries the Kubernetes 1.27 schemas; 1.28 only added
 * fields to these kinds, so an object valid here is valid on 1.28.
 */
const BUILT_IN: Record<string, ModelClass> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'networking.k8s.io/v1/Ingress': Ingress,
};

/** Raised when output objects are invalid; one line per problem. */
export class ValidationError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`invalid output, nothing was written:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ValidationError';
  }
}

function label(obj: KubeObject): string {
  const name = obj.metadata?.name ?? '(no name)';
  return `${obj.kind ?? '(no kind)'} ${obj.metadata?.namespace ? obj.metadata.namespace + '/' : ''}${name}`;
}

function pointerToPath(pointer: string): string {
  return pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^[0-9]+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

function describeErrors(errors: readonly ErrorObject[]): string[] {
  const out = new Set<string>();
  for (const e of errors) {
    let where = pointerToPath(e.instancePath);
    let what = e.message ?? e.keyword;
    if (e.keyword === 'additionalProperties') {
      const field = String((e.params as { additionalProperty: string }).additionalProperty);
      where = where ? `${where}.${field}` : field;
      what = 'unknown field';
    } else if (e.keyword === 'required') {
      const field = String((e.params as { missingProperty: string }).missingProperty);
      where = where ? `${where}.${field}` : field;
      what = 'required field is missing';
    } else if (e.keyword === 'oneOf' || e.keyword === 'anyOf') {
      continue; // its branches already said what is wrong
    }
    out.add(`${where || '(object)'}: ${what}`);
  }
  return [...out];
}

/**
 * Makes a CRD structural schema strict: objects with declared properties
 * reject other fields unless the schema preserves unknown fields.
 */
function strictSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'nullable') continue;
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, strictSchema(s)])) : strictSchema(v);
  }
  if (out.properties && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Rules the API server applies to metadata that the OpenAPI schemas do not state. */
function metadataProblems(obj: KubeObject): string[] {
  const problems: string[] = [];
  const md = obj.metadata;
  if (!md?.name) return ['metadata.name: required field is missing'];
  if (!DNS_SUBDOMAIN.test(md.name)) problems.push(`metadata.name: '${md.name}' is not a DNS-1123 subdomain`);
  for (const [k, v] of Object.entries(md.labels ?? {})) {
    if (!QUALIFIED_NAME.test(k)) problems.push(`metadata.labels: key '${k}' is not a qualified name`);
    if (!LABEL_VALUE.test(v)) problems.push(`metadata.labels.${k}: '${v}' is not a valid label value (63 characters at most, alphanumeric at both ends)`);
  }
  for (const k of Object.keys(md.annotations ?? {})) {
    if (!QUALIFIED_NAME.test(k)) problems.push(`metadata.annotations: key '${k}' is not a qualified name`);
  }
  return problems;
}

/** Validates objects against their schemas; CRD schemas are compiled once per kind, on first use. */
export class SchemaValidator {
  private readonly crdFiles: Map<string, string>;
  private readonly compiled = new Map<string, ValidateFunction>();
  private ajv?: Ajv;

  /**
   * @param crdFiles apiVersion/kind -> CRD file, for the custom resources we emit
   */
  constructor(crdFiles: Record<string, string> = DEFAULT_CRDS) {
    this.crdFiles = new Map(Object.entries(crdFiles));
  }

  /** Problems of one object, each prefixed with the object's kind and name. */
  public check(obj: KubeObject): string[] {
    const key = `${obj.apiVersion}/${obj.kind}`;
    const problems = metadataProblems(obj);
    const model = BUILT_IN[key];
    if (model) {
      try {
        new model(obj).validate();
      } catch (e) {
        const errors = (e as { errors?: ErrorObject[] }).errors;
        problems.push(...(errors ? describeErrors(errors) : [String(e)]));
      }
    } else if (this.crdFiles.has(key)) {
      const validate = this.crdValidator(key);
      if (!validate(obj)) problems.push(...describeErrors(validate.errors ?? []));
    } else {
      problems.push(`apiVersion/kind '${key}' has no schema here; add its CRD to crds/ and to the validator`);
    }
    return problems.map((p) => `${label(obj)}: ${p}`);
  }

  /** Throws ValidationError listing every problem of every object. */
  public checkAll(objects: readonly KubeObject[]): void {
    const problems = objects.flatMap((o) => this.check(o));
    if (problems.length > 0) throw new ValidationError(problems);
  }

  private crdValidator(key: string): ValidateFunction {
    const cached = this.compiled.get(key);
    if (cached) return cached;
    const file = this.crdFiles.get(key)!;
    const text = fs.readFileSync(file, 'utf8');
    const cacheFile = path.join(VALIDATOR_CACHE_DIR,
      `${crypto.createHash('sha256').update(`${CACHE_VERSION}\0${key}\0${text}`).digest('hex').slice(0, 32)}.js`);
    if (fs.existsSync(cacheFile)) {
      const validate = require(cacheFile) as ValidateFunction; // eslint-disable-line @typescript-eslint/no-require-imports
      this.compiled.set(key, validate);
      return validate;
    }
    const crd = YAML.parse(text) as {
      spec: { group: string; names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: object } }[] };
    };
    const [group, version] = key.split('/');
    const served = crd.spec.versions.find((v) => v.name === version);
    if (crd.spec.group !== group || !served) throw new Error(`${file} does not define ${key}`);
    // Loaded only on a cache miss: the compiler costs more to load than a cached validator to run.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { default: AjvClass, _ } = require('ajv') as typeof import('ajv');
    const standaloneCode = (require('ajv/dist/standalone') as typeof import('ajv/dist/standalone')).default;
    if (!this.ajv) {
      this.ajv = new AjvClass({ strict: false, allErrors: true, code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` } });
      (require('ajv-formats') as typeof import('ajv-formats')).default(this.ajv);
    }
    /* eslint-enable @typescript-eslint/no-require-imports */
    const validate = this.ajv.compile(strictSchema(served.schema.openAPIV3Schema) as object);
    try {
      writeFileAtomic(cacheFile, standaloneCode(this.ajv, validate));
    } catch {
      // A read-only checkout still validates; it only compiles every time.
    }
    this.compiled.set(key, validate);
    return validate;
  }
}

/** The custom resources this project emits, and their CRD files. */
export const DEFAULT_CRDS: Record<string, string> = {
  'cert-manager.io/v1/Certificate': path.join(CRD_DIR, 'cert-manager.io_certificates.yaml'),
  'cert-manager.io/v1/ClusterIssuer': path.join(CRD_DIR, 'cert-manager.io_clusterissuers.yaml'),
  'traefik.io/v1alpha1/Middleware': path.join(CRD_DIR, 'traefik.io_middlewares.yaml'),
  'traefik.io/v1alpha1/IngressRoute': path.join(CRD_DIR, 'traefik.io_ingressroutes.yaml'),
  'bitnami.com/v1alpha1/SealedSecret': path.join(CRD_DIR, 'bitnami.com_sealedsecrets.yaml'),
};
