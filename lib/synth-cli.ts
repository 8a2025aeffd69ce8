import * as path from 'path';
import { App } from 'cdk8s';
import { COMMON_HELP, parseCommonArgs, runStep } from './cli';
import { RegistryConfig } from './config';
import { deriveKey } from './credential-store';
import { hashPasswords, toHtpasswd } from './htpasswd';
import { loadInputs, loadSealer, reportGenerated } from './loader';
import { KUSTOMIZATION_FILE, renderManifests } from './manifests';
import { replaceDirectory } from './output';
import { Sealer } from './seal';

/**
 * `npm run synth`: config -> validated Kubernetes YAML in dist/.
 * The composition itself is passed in (main.ts's buildApp), so lib/ never
 * imports the entry point.
 */

/** What the stack is built from: the config plus the secrets the loader resolved. */
export interface StackInput {
  readonly config: RegistryConfig;
  /** bcrypt htpasswd lines for the ingress. */
  readonly htpasswd: string;
  /** The registry's http.secret. */
  readonly httpSecret: string;
  /** Seals the Secrets for the sealed-secrets controller; absent: plain Secrets. */
  readonly sealer?: Sealer;
}

/** Composes the stack (main.ts's buildApp); passed in so lib/ never imports the entry point. */
export type StackBuilder = (input: StackInput) => App;

/** Output folder: --outdir, then CDK8S_OUTDIR (set by `cdk8s synth`), then dist. */
function outdirFor(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag ?? env.CDK8S_OUTDIR ?? 'dist';
}

export function synthMain(argv: readonly string[], env: NodeJS.ProcessEnv, build: StackBuilder,
  log: (line: string) => void = (l) => process.stderr.write(l + '\n')): number {
  return runStep(() => {
    const args = parseCommonArgs(argv);
    if (args.help) {
      log(`Usage: npm run synth -- [options]\nSynthesizes the registry stack into plain Kubernetes YAML.\n\n${COMMON_HELP}`);
      return;
    }
    const outdir = outdirFor(args.outdir, env);
    const inputs = loadInputs({ configFile: args.config, stateDir: args.stateDir, generatePasswords: args.generatePasswords, env });
    if (inputs.usedExample) log(`note: no k3s-registry.yaml here; using the built-in example config (${path.relative(process.cwd(), inputs.configFile)})`);

    const hashed = hashPasswords(inputs.credentials.passwords, {
      cost: inputs.config.auth.bcryptCost,
      stateDir: inputs.stateDir,
      saltKey: deriveKey(inputs.credentials.httpSecret, 'bcrypt-salt'),
    });
    const sealer = loadSealer(inputs);
    const app = build({ config: inputs.config, htpasswd: toHtpasswd(hashed.hashes), httpSecret: inputs.credentials.httpSecret, sealer });
    const { files, objects } = renderManifests(app);
    replaceDirectory(outdir, files);

    reportGenerated(inputs, log);
    log(`wrote ${objects.length} objects in ${files.length - 1} files and ${KUSTOMIZATION_FILE} to ${outdir}/ `
      + `(https://${inputs.config.hosts.registry}${inputs.config.ui.enabled ? `, https://${inputs.config.hosts.ui}` : ''}; `
      + `bcrypt: ${hashed.stats.cached} cached, ${hashed.stats.hashed} hashed`
      + `${sealer ? `; Secrets sealed for the controller key ${sealer.keyFingerprint.slice(0, 16)}` : ''})`);
  }, log);
}
