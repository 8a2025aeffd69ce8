import { parseArgs } from 'util';
import { ConfigError } from './config';
import { OutputError } from './output';
import { ValidationError } from './validate';

/**
 * What both command-line steps share: option parsing and turning errors
 * into a clear message and a non-zero exit code.
 */

export interface CommonArgs {
  readonly config?: string;
  readonly outdir?: string;
  readonly stateDir?: string;
  readonly generatePasswords: boolean;
  readonly help: boolean;
}

export function parseCommonArgs(argv: readonly string[]): CommonArgs {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        'config': { type: 'string', short: 'c' },
        'outdir': { type: 'string', short: 'o' },
        'state-dir': { type: 'string' },
        'generate-passwords': { type: 'boolean', default: false },
        'help': { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    return {
      config: values.config,
      outdir: values.outdir,
      stateDir: values['state-dir'],
      generatePasswords: values['generate-passwords'] ?? false,
      help: values.help ?? false,
    };
  } catch (e) {
    throw new ConfigError(`${(e as Error).message}; run with --help to see the options`);
  }
}

export const COMMON_HELP = `Options:
  -c, --config FILE        config file (default: $K3S_REGISTRY_CONFIG, ./k3s-registry.yaml,
                           else the built-in example)
  -o, --outdir DIR         output folder, replaced as a whole
      --state-dir DIR      local state: credentials.yaml and the hash cache
                           (default: $K3S_REGISTRY_STATE_DIR or .k3s-registry)
      --generate-passwords create and store passwords for users that have none
  -h, --help               this text`;

/** Runs a step; known errors become `error: ...` on stderr and exit code 1. */
export function runStep(step: () => void, stderr: (line: string) => void = (l) => process.stderr.write(l + '\n')): number {
  try {
    step();
    return 0;
  } catch (e) {
    if (e instanceof ConfigError || e instanceof OutputError || e instanceof ValidationError) {
      stderr(`error: ${e.message}`);
    } else {
      // Construct validation (props checked in constructors) and anything unexpected.
      stderr(`error: ${(e as Error).message ?? String(e)}`);
      if (process.env.K3S_REGISTRY_DEBUG) stderr(String((e as Error).stack));
    }
    return 1;
  }
}
