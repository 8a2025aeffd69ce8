import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { buildApp } from '../main';
import { k3sMain } from '../lib/k3s-cli';
import { checkK3sRegistries } from '../lib/k3s-registries';
import { synthMain } from '../lib/synth-cli';
import { KubeObject } from '../lib/validate';
import { tmpDir } from './helpers';
import { get, realPartsDescribe, run } from './support/processes';
import { startStack } from './support/stack';

function project(extra = '') {
  const dir = tmpDir('k3s-registry-nodes-');
  const config = path.join(dir, 'k3s-registry.yaml');
  fs.writeFileSync(config, `domain: example.com\nauth:\n  bcryptCost: 4\n  users: [{name: admin}, {name: pull}]\n${extra}`);
  const outdir = path.join(dir, 'dist-k3s');
  const stateDir = path.join(dir, 'state');
  const common = ['--config', config, '--state-dir', stateDir];
  const k3s = (env: NodeJS.ProcessEnv = {}) => {
    const lines: string[] = [];
    const code = k3sMain([...common, '--outdir', outdir], env, (l) => lines.push(l));
    return { code, log: lines.join('\n') };
  };
  const synth = () => synthMain([...common, '--outdir', path.join(dir, 'dist')], {}, buildApp, () => undefined);
  const registries = () => YAML.parse(fs.readFileSync(path.join(outdir, 'registries.yaml'), 'utf8'));
  const storedPassword = (user: string) => YAML.parse(fs.readFileSync(path.join(stateDir, 'credentials.yaml'), 'utf8')).users[user];
  return { dir, config, outdir, stateDir, k3s, synth, registries, storedPassword };
}

describe('registries.yaml', () => {
  test('mirror and credentials of the pull user, from the same credentials store as the ingress', () => {
    const p = project();
    const { code, log } = p.k3s();
    expect(code).toBe(0);
    expect(p.registries()).toEqual({
      mirrors: { 'registry.example.com': { endpoint: ['https://registry.example.com'] } },
      configs: { 'registry.example.com': { auth: { username: 'pull', password: p.storedPassword('pull') } } },
    });
    expect(log).not.toContain(p.storedPassword('pull'));
  });

  test('the file is 0600 and its folder 0700; the install script is executable', () => {
    const p = project();
    p.k3s();
    expect(fs.statSync(path.join(p.outdir, 'registries.yaml')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(p.outdir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(p.outdir, 'install.sh')).mode & 0o777).toBe(0o700);
  });

  test('any configured user may pull; a password from the environment wins', () => {
    const p = project('nodes:\n  pullUser: admin\n');
    p.k3s({ K3S_REGISTRY_PASSWORD_ADMIN: 'from-the-environment' });
    expect(p.registries().configs['registry.example.com'].auth).toEqual({ username: 'admin', password: 'from-the-environment' });
  });

  test('tls only when configured: a private CA, a client certificate', () => {
    const p = project('nodes:\n  tls:\n    caFile: /etc/ssl/registry-ca.pem\n    certFile: /etc/ssl/node.crt\n    keyFile: /etc/ssl/node.key\n');
    p.k3s();
    expect(p.registries().configs['registry.example.com'].tls).toEqual({ ca_file: '/etc/ssl/registry-ca.pem', cert_file: '/etc/ssl/node.crt', key_file: '/etc/ssl/node.key' });
  });

  test('insecure_skip_verify only with the explicit flag, and with a warning', () => {
    const p = project('nodes:\n  tls:\n    insecureSkipVerify: true\n');
    const { log } = p.k3s();
    expect(p.registries().configs['registry.example.com'].tls).toEqual({ insecure_skip_verify: true });
    expect(log).toMatch(/^warning: nodes.tls.insecureSkipVerify is true/);
  });

  test('same input, byte-identical file', () => {
    const p = project();
    p.k3s();
    const a = fs.readFileSync(path.join(p.outdir, 'registries.yaml'));
    p.k3s();
    expect(fs.readFileSync(path.join(p.outdir, 'registries.yaml')).equals(a)).toBe(true);
  });

  test('never lands in dist/', () => {
    const p = project();
    p.synth();
    p.k3s();
    const dist = fs.readdirSync(path.join(p.dir, 'dist')).map((f) => fs.readFileSync(path.join(p.dir, 'dist', f), 'utf8')).join('\n');
    expect(dist).not.toContain('mirrors:');
    expect(dist).not.toContain(p.storedPassword('pull'));
  });

  test('only keys k3s reads: a wrong key or type is an error that does not echo values', () => {
    expect(() => checkK3sRegistries({ mirrors: { 'r.example.com': { endpoint: ['https://r.example.com'], endpoints: ['x'] } } }))
      .toThrow('registries.yaml: mirrors.r.example.com.endpoints: not a key k3s reads');
    expect(() => checkK3sRegistries({ configs: { 'r.example.com': { auth: { username: 'u', password: 42 } } } }))
      .toThrow('registries.yaml: configs.r.example.com.auth.password: expected string');
    expect(() => checkK3sRegistries({ configs: { 'r.example.com': { tls: { insecureSkipVerify: true } } } }))
      .toThrow('registries.yaml: configs.r.example.com.tls.insecureSkipVerify: not a key k3s reads');
  });
});

describe('bad input: clear error, exit 1, previous output untouched, no password printed', () => {
  function expectFailure(p: ReturnType<typeof project>, change: () => void, env: NodeJS.ProcessEnv = {}) {
    expect(p.k3s().code).toBe(0);
    const before = fs.readFileSync(path.join(p.outdir, 'registries.yaml'));
    const password = p.storedPassword('pull');
    change();
    const { code, log } = p.k3s(env);
    expect(code).toBe(1);
    expect(fs.readFileSync(path.join(p.outdir, 'registries.yaml')).equals(before)).toBe(true);
    expect(log).not.toContain(password);
    return log;
  }

  test('an unknown pull user', () => {
    const p = project();
    const log = expectFailure(p, () => fs.appendFileSync(p.config, 'nodes:\n  pullUser: puller\n'));
    expect(log).toBe("error: nodes.pullUser: 'puller' is not one of auth.users (admin, pull); add it there or choose one of them");
  });

  test('no password for the pull user', () => {
    const p = project();
    const log = expectFailure(p, () => {
      const file = path.join(p.stateDir, 'credentials.yaml');
      const creds = YAML.parse(fs.readFileSync(file, 'utf8'));
      delete creds.users.pull;
      fs.writeFileSync(file, YAML.stringify(creds), { mode: 0o600 });
    });
    expect(log).toMatch(/^error: auth.users\[1\] 'pull': no password; set K3S_REGISTRY_PASSWORD_PULL or add it/);
  });

  test('a ca_file that is not an absolute path', () => {
    const p = project();
    const log = expectFailure(p, () => fs.appendFileSync(p.config, 'nodes:\n  tls:\n    caFile: certs/ca.pem\n'));
    expect(log).toBe(`error: ${p.config}: nodes.tls.caFile: 'certs/ca.pem' is not an absolute path; k3s reads it on the node, so write e.g. '/etc/rancher/k3s/registry-ca.pem'`);
  });

  test('a client certificate without its key', () => {
    const p = project();
    const log = expectFailure(p, () => fs.appendFileSync(p.config, 'nodes:\n  tls:\n    certFile: /etc/ssl/node.crt\n'));
    expect(log).toBe('error: nodes.tls: certFile and keyFile go together; set both or neither');
  });

  test('an unwritable output folder', () => {
    const p = project();
    fs.writeFileSync(path.join(p.dir, 'a-file'), '');
    const lines: string[] = [];
    const code = k3sMain(['--config', p.config, '--state-dir', p.stateDir, '--outdir', path.join(p.dir, 'a-file', 'out')], {}, (l) => lines.push(l));
    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(/^error: cannot write to .*a-file \(EEXIST/);
  });
});

describe('install.sh in a temporary root', () => {
  function node() {
    const p = project();
    p.k3s();
    const root = tmpDir('k3s-registry-root-');
    const calls = path.join(root, 'systemctl.log');
    const fake = path.join(root, 'fake-systemctl');
    // A stand-in for systemctl: k3s is active, k3s-agent is not; every call is recorded.
    fs.writeFileSync(fake, `#!/bin/sh\necho "$*" >> ${calls}\n[ "$1" = is-active ] && [ "$3" = k3s-agent ] && exit 3\nexit 0\n`, { mode: 0o755 });
    const install = () => spawnSync('sh', [path.join(p.outdir, 'install.sh')], { encoding: 'utf8', env: { PATH: process.env.PATH, DESTDIR: root, SYSTEMCTL: fake } });
    const target = path.join(root, 'etc', 'rancher', 'k3s', 'registries.yaml');
    const restarts = () => (fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').split('\n').filter((l) => l.startsWith('restart')) : []);
    const backups = () => fs.readdirSync(path.dirname(target)).filter((f) => f.includes('.bak-'));
    return { p, root, install, target, restarts, backups };
  }

  test('installs 0600, restarts the active service, and does nothing on an unchanged second run', () => {
    const n = node();
    const first = n.install();
    expect(first.status).toBe(0);
    expect(fs.readFileSync(n.target).equals(fs.readFileSync(path.join(n.p.outdir, 'registries.yaml')))).toBe(true);
    expect(fs.statSync(n.target).mode & 0o777).toBe(0o600);
    expect(n.restarts()).toEqual(['restart k3s']);
    expect(first.stdout).toContain('restarted: k3s');

    const second = n.install();
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('up to date');
    expect(n.restarts()).toEqual(['restart k3s']);
    expect(n.backups()).toEqual([]);
  });

  test('a changed file: backs up the previous one, installs, restarts', () => {
    const n = node();
    fs.mkdirSync(path.dirname(n.target), { recursive: true });
    fs.writeFileSync(n.target, 'mirrors: {}\n', { mode: 0o600 });
    const result = n.install();
    expect(result.status).toBe(0);
    expect(n.backups()).toHaveLength(1);
    expect(fs.readFileSync(path.join(path.dirname(n.target), n.backups()[0]), 'utf8')).toBe('mirrors: {}\n');
    expect(n.restarts()).toEqual(['restart k3s']);
  });

  test('is valid POSIX sh', () => {
    const n = node();
    expect(() => execFileSync('sh', ['-n', path.join(n.p.outdir, 'install.sh')])).not.toThrow();
  });
});

const { describe: realDescribe, missing } = realPartsDescribe(['docker-registry', 'nginx', 'openssl', 'skopeo']);

test('the binaries for the credentials check are installed (required under CI)', () => {
  if (process.env.CI) expect(missing).toEqual([]);
});

realDescribe('the credentials in registries.yaml authenticate at the real registry', () => {
  const p = project();
  let stack: Awaited<ReturnType<typeof startStack>>;
  let ca: string;

  beforeAll(async () => {
    expect(p.synth()).toBe(0);
    expect(p.k3s().code).toBe(0);
    const distDir = path.join(p.dir, 'dist');
    const objects = fs.readdirSync(distDir).filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(path.join(distDir, f), 'utf8')).map((d) => d.toJS() as KubeObject));
    stack = await startStack(objects, tmpDir('k3s-registry-nodes-stack-'));
    ca = fs.readFileSync(stack.caFile, 'utf8');
  }, 30000);

  afterAll(async () => stack?.stop());

  test('/v2/ answers 200 with the pull credentials, 401 with a wrong password', async () => {
    const { username, password } = p.registries().configs['registry.example.com'].auth;
    const url = `https://${stack.publicAddr}/v2/`;
    expect((await get(url, { ca, host: stack.host, auth: `${username}:${password}` })).status).toBe(200);
    expect((await get(url, { ca, host: stack.host, auth: `${username}:${password}x` })).status).toBe(401);
  });

  test('skopeo logs in with them', () => {
    const { username, password } = p.registries().configs['registry.example.com'].auth;
    const out = run('skopeo', ['login', '--authfile', path.join(p.dir, 'auth.json'), '--cert-dir', stack.certDir, '-u', username, '-p', password, stack.publicAddr],
      { PATH: process.env.PATH, HOME: p.dir });
    expect(out).toContain('Login Succeeded');
  });
});
