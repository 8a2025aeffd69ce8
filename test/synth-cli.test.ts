import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import * as YAML from 'yaml';
import { buildApp, cli } from '../main';
import { synthMain } from '../lib/synth-cli';
import { tmpDir } from './helpers';

const ROOT = path.join(__dirname, '..');

/** A project folder with a config at bcrypt cost 4 (fast) and no state yet. */
function project(extra = '') {
  const dir = tmpDir();
  const config = path.join(dir, 'k3s-registry.yaml');
  fs.writeFileSync(config, `domain: example.com\nauth:\n  bcryptCost: 4\n  users: [{name: admin}, {name: pull}]\n${extra}`);
  const outdir = path.join(dir, 'dist');
  const stateDir = path.join(dir, 'state');
  const run = (env: NodeJS.ProcessEnv = {}, args: string[] = []) => {
    const lines: string[] = [];
    const code = synthMain(['--config', config, '--outdir', outdir, '--state-dir', stateDir, ...args], env, buildApp, (l) => lines.push(l));
    return { code, log: lines.join('\n') };
  };
  const snapshot = () => Object.fromEntries(fs.readdirSync(outdir).sort().map((f) => [f, fs.readFileSync(path.join(outdir, f), 'utf8')]));
  return { dir, config, outdir, stateDir, run, snapshot };
}

const mode = (file: string) => fs.statSync(file).mode & 0o777;
const credentials = (stateDir: string) => YAML.parse(fs.readFileSync(path.join(stateDir, 'credentials.yaml'), 'utf8'));

describe('first run', () => {
  test('generates strong passwords into a 0600 file, never prints them, and writes dist/', () => {
    const p = project();
    const { code, log } = p.run();
    expect(code).toBe(0);
    const creds = credentials(p.stateDir);
    expect(Object.keys(creds.users)).toEqual(['admin', 'pull']);
    for (const pw of Object.values<string>(creds.users)) {
      expect(pw).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(log).not.toContain(pw);
    }
    expect(creds.httpSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(log).not.toContain(creds.httpSecret);
    expect(log).toContain(`generated passwords for admin, pull; they are stored in ${path.join(p.stateDir, 'credentials.yaml')} (mode 0600), not printed`);
    expect(mode(path.join(p.stateDir, 'credentials.yaml'))).toBe(0o600);
    expect(mode(path.join(p.stateDir, 'hash-cache.json'))).toBe(0o600);
    expect(Object.keys(p.snapshot())).toEqual(['00-namespace.yaml', 'Kustomization', 'auth.yaml', 'registry.yaml', 'ui.yaml']);
  });

  test('in CI nothing is generated: a missing password is an error', () => {
    const p = project();
    const { code, log } = p.run({ CI: 'true' });
    expect(code).toBe(1);
    expect(log).toContain("error: auth.users[0] 'admin': no password; set K3S_REGISTRY_PASSWORD_ADMIN or add it under 'users:' in");
    expect(fs.existsSync(p.outdir)).toBe(false);
  });
});

describe('re-synth', () => {
  test('is byte-identical and costs no bcrypt work', () => {
    const p = project();
    p.run();
    const first = p.snapshot();
    const { code, log } = p.run();
    expect(code).toBe(0);
    expect(p.snapshot()).toEqual(first);
    expect(log).toContain('bcrypt: 2 cached, 0 hashed');
  });

  test('without the hash cache or the previous dist/ (a fresh clone in CI) the output is the same', () => {
    const p = project();
    p.run();
    const first = p.snapshot();
    const creds = credentials(p.stateDir);
    // Another machine: no state folder, no dist/, the same secrets from the environment.
    fs.rmSync(p.stateDir, { recursive: true });
    fs.rmSync(p.outdir, { recursive: true });
    const { code, log } = p.run({
      CI: 'true',
      K3S_REGISTRY_PASSWORD_ADMIN: creds.users.admin,
      K3S_REGISTRY_PASSWORD_PULL: creds.users.pull,
      K3S_REGISTRY_HTTP_SECRET: creds.httpSecret,
    });
    expect(code).toBe(0);
    expect(log).toContain('bcrypt: 0 cached, 2 hashed');
    expect(p.snapshot()).toEqual(first);
  });

  test('a changed password re-hashes that user only', () => {
    const p = project();
    p.run();
    const before = p.snapshot()['auth.yaml'];
    const { log } = p.run({ K3S_REGISTRY_PASSWORD_PULL: 'a-new-pull-password' });
    expect(log).toContain('bcrypt: 1 cached, 1 hashed');
    const after = p.snapshot()['auth.yaml'];
    const line = (text: string, user: string) => text.split('\n').find((l) => l.trim().startsWith(`${user}:`));
    expect(line(after, 'admin')).toBe(line(before, 'admin'));
    expect(line(after, 'pull')).not.toBe(line(before, 'pull'));
    expect(after).not.toContain('a-new-pull-password');
  });
});

describe('bad input leaves the previous dist/ untouched', () => {
  function expectUntouched(p: ReturnType<typeof project>, fn: () => { code: number; log: string }) {
    p.run();
    const before = p.snapshot();
    const mtime = fs.statSync(path.join(p.outdir, 'registry.yaml')).mtimeMs;
    const result = fn();
    expect(result.code).toBe(1);
    expect(p.snapshot()).toEqual(before);
    expect(fs.statSync(path.join(p.outdir, 'registry.yaml')).mtimeMs).toBe(mtime);
    expect(fs.readdirSync(p.dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    return result.log;
  }

  test('a bad storage size', () => {
    const p = project();
    const log = expectUntouched(p, () => {
      fs.appendFileSync(p.config, 'storage:\n  size: 20GB\n');
      return p.run();
    });
    expect(log).toBe(`error: ${p.config}: storage.size: '20GB' is not a Kubernetes quantity; use e.g. '20Gi'`);
  });

  test('a new user with no password', () => {
    const p = project();
    const log = expectUntouched(p, () => {
      fs.writeFileSync(p.config, fs.readFileSync(p.config, 'utf8').replace('{name: pull}]', '{name: pull}, {name: ci}]'));
      return p.run();
    });
    expect(log).toMatch(/^error: auth.users\[2\] 'ci': no password; set K3S_REGISTRY_PASSWORD_CI or add it under 'users:' in .*credentials.yaml \(or run `npm run synth -- --generate-passwords` to create one\)$/);
  });

  test('--generate-passwords then adds the new user', () => {
    const p = project();
    p.run();
    fs.writeFileSync(p.config, fs.readFileSync(p.config, 'utf8').replace('{name: pull}]', '{name: pull}, {name: ci}]'));
    expect(p.run({}, ['--generate-passwords']).code).toBe(0);
    expect(Object.keys(credentials(p.stateDir).users)).toEqual(['admin', 'pull', 'ci']);
    expect(p.snapshot()['auth.yaml']).toMatch(/^\s+ci:\$2b\$04\$/m);
  });

  test('a credentials file readable by others', () => {
    const p = project();
    const log = expectUntouched(p, () => {
      fs.chmodSync(path.join(p.stateDir, 'credentials.yaml'), 0o644);
      return p.run();
    });
    expect(log).toMatch(/credentials.yaml: holds passwords but is readable by others \(mode 644\); run: chmod 600 /);
  });

  test('an output folder that cannot be written', () => {
    const p = project();
    fs.writeFileSync(path.join(p.dir, 'a-file'), '');
    const lines: string[] = [];
    const code = synthMain(['--config', p.config, '--outdir', path.join(p.dir, 'a-file', 'dist'), '--state-dir', p.stateDir], {}, buildApp, (l) => lines.push(l));
    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(/^error: cannot write to .*a-file \(EEXIST: file already exists, mkdir .*\); choose a writable output folder$/);
  });

  test('an object that fails schema validation', () => {
    const p = project();
    const log = expectUntouched(p, () => {
      const lines: string[] = [];
      const broken = (input: Parameters<typeof buildApp>[0]) => {
        const app = buildApp(input);
        const svc = app.charts.find((c) => c.node.id === 'registry')!.node.findAll().find((c) => c instanceof ApiObject && c.kind === 'Service') as ApiObject;
        svc.addJsonPatch({ _toJson: () => ({ op: 'replace', path: '/spec/ports/0/port', value: 'five thousand' }) } as never);
        return app;
      };
      const code = synthMain(['--config', p.config, '--outdir', p.outdir, '--state-dir', p.stateDir], {}, broken, (l) => lines.push(l));
      return { code, log: lines.join('\n') };
    });
    expect(log).toContain('error: invalid output, nothing was written:\n  - Service registry/registry: spec.ports[0].port: must be integer');
  });

  test('an unknown option', () => {
    const p = project();
    expect(p.run({}, ['--outdri', 'x']).log).toMatch(/^error: Unknown option '--outdri'.*; run with --help to see the options$/);
  });
});

describe('npm run synth on a fresh clone', () => {
  test('works on the built-in example config, through the esbuild bundle', () => {
    const cwd = tmpDir();
    const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'run.js'), 'synth'], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(result.stderr).toContain('using the built-in example config');
    expect(result.status).toBe(0);
    expect(fs.readdirSync(path.join(cwd, 'dist')).sort()).toEqual(['00-namespace.yaml', 'Kustomization', 'auth.yaml', 'registry.yaml', 'ui.yaml']);
    expect(fs.existsSync(path.join(cwd, '.k3s-registry', 'credentials.yaml'))).toBe(true);
    // kubectl reads it as kustomize input, as Flux does.
    const built = execFileSync('kubectl', ['kustomize', path.join(cwd, 'dist')], { encoding: 'utf8' });
    expect(YAML.parseAllDocuments(built).map((d) => d.get('kind'))).toEqual(expect.arrayContaining(['Namespace', 'Deployment', 'Ingress', 'Middleware', 'Certificate']));
    // What `kubectl apply -f dist/` reads: every object, namespace first, and not the Kustomization
    // (a kustomization.yaml would be read as an object the API server rejects).
    const read = execFileSync('kubectl', ['label', '--local', '-f', path.join(cwd, 'dist'), 'k3s-registry/test=1', '-o', 'name'], { encoding: 'utf8' }).trim().split('\n');
    expect(read).toHaveLength(14);
    expect(read[0]).toBe('namespace/registry');
    expect(read.filter((r) => /kustomiz/i.test(r))).toEqual([]);
  });

  test('`cdk8s synth` (through cdk8s.yaml) writes the same files as npm run synth', () => {
    const dir = tmpDir();
    const env = { PATH: process.env.PATH, CDK8S_CHECK_UPGRADE: 'false', K3S_REGISTRY_STATE_DIR: path.join(dir, 'state') };
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade', '-o', path.join(dir, 'cli')], { cwd: ROOT, env, stdio: 'ignore' });
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'run.js'), 'synth', '--outdir', path.join(dir, 'npm')], { cwd: ROOT, env, stdio: 'ignore' });
    const read = (d: string) => Object.fromEntries(fs.readdirSync(path.join(dir, d)).map((f) => [f, fs.readFileSync(path.join(dir, d, f), 'utf8')]));
    expect(Object.keys(read('cli')).sort()).toEqual(['00-namespace.yaml', 'Kustomization', 'auth.yaml', 'registry.yaml', 'ui.yaml']);
    expect(read('cli')).toEqual(read('npm'));
  });

  test('cli() is what main.ts runs: --help exits 0, a bad option exits 1', () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(cli(['--help'], {})).toBe(0);
      expect(String(stderr.mock.calls[0][0])).toMatch(/^Usage: npm run synth -- \[options\]/);
      expect(cli(['--nope'], {})).toBe(1);
    } finally {
      stderr.mockRestore();
    }
  });
});

describe('the credentials file', () => {
  test('broken YAML is an error that names the file and line but never echoes its content', () => {
    const p = project();
    fs.mkdirSync(p.stateDir, { recursive: true });
    fs.writeFileSync(path.join(p.stateDir, 'credentials.yaml'), 'users:\n  admin: "s3cret-never-shown\n', { mode: 0o600 });
    const { code, log } = p.run();
    expect(code).toBe(1);
    expect(log).toMatch(/^error: .*credentials.yaml: not valid YAML \(line \d+\); fix or delete the file$/);
    expect(log).not.toContain('s3cret');
  });
});
