import { k3sMain } from './lib/k3s-cli';

/**
 * The second synth step: node configuration for k3s (registries.yaml and
 * its install script). Separate from main.ts so nothing of it can reach
 * dist/, which kubectl and Flux apply.
 */

/** Command-line entry: `npm run synth:k3s -- [options]`. Returns the exit code. */
export function cli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  return k3sMain(argv, env);
}

if (require.main === module) process.exitCode = cli(process.argv.slice(2));
