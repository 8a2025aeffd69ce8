import * as fs from 'fs';
import * as path from 'path';
import * as bcrypt from 'bcryptjs';
import * as YAML from 'yaml';
import { buildApp } from '../main';
import { referenceProblems } from '../lib/references';
import { Sealer } from '../lib/seal';
import { synthMain } from '../lib/synth-cli';
import { SchemaValidator } from '../lib/validate';
import { find, synth, TEST_HTTP_SECRET, TEST_PASSWORDS, tmpDir } from './helpers';
import { get, realPartsDescribe } from './support/processes';
import { startStack } from './support/stack';
import { controllerKeys, unseal, unsealAll } from './support/unseal';

const keys = controllerKeys();
const sealer = new Sealer(keys.publicKeyPem, Buffer.alloc(32, 3));

describe('secrets.sealedSecrets: Secrets go out sealed', () => {
  const { files, objects } = synth({}, sealer);

  test('no plain Secret and no plaintext in the output; two SealedSecrets instead', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(objects.filter((o) => o.kind === 'SealedSecret').map((o) => o.metadata?.name).sort()).toEqual(['registry-basic-auth', 'registry-http-secret']);
    const text = files.map((f) => f.content).join('\n');
    expect(text).not.toContain(TEST_HTTP_SECRET);
    expect(text).not.toContain('$2b$');
    expect(text).not.toMatch(/stringData/);
  });

  test('the controller unseals them into the Secrets the Middleware and the Deployment read', () => {
    const auth = find(objects, 'SealedSecret', 'registry-basic-auth');
    expect(auth.spec.template.metadata).toMatchObject({ name: 'registry-basic-auth', namespace: 'registry' });
    const lines = unseal(keys.privateKeyPem, 'registry', 'registry-basic-auth', auth.spec.encryptedData.users).trim().split('\n');
    expect(lines.map((l) => l.split(':')[0])).toEqual(['admin', 'pull']);
    expect(bcrypt.compareSync(TEST_PASSWORDS.admin, lines[0].slice('admin:'.length))).toBe(true);
    expect(find(objects, 'Middleware', 'registry-basic-auth').spec.basicAuth.secret).toBe('registry-basic-auth');

    const http = find(objects, 'SealedSecret', 'registry-http-secret');
    expect(unseal(keys.privateKeyPem, 'registry', 'registry-http-secret', http.spec.encryptedData['http-secret'])).toBe(TEST_HTTP_SECRET);
    const env = find(objects, 'Deployment', 'registry').spec.template.spec.containers[0].env;
    expect(env[0].valueFrom.secretKeyRef).toEqual({ name: 'registry-http-secret', key: 'http-secret' });
  });

  test('valid against the SealedSecret CRD, references resolve, and a broken one is caught', () => {
    const validator = new SchemaValidator();
    expect(objects.flatMap((o) => validator.check(o))).toEqual([]);
    expect(referenceProblems(objects)).toEqual([]);
    const bad = JSON.parse(JSON.stringify(find(objects, 'SealedSecret', 'registry-http-secret')));
    bad.spec.encryptedData = 'x';
    bad.spec.template.metadata.name = 'other';
    expect(validator.check(bad)).toEqual(['SealedSecret registry/registry-http-secret: spec.encryptedData: must be object']);
    const objs = objects.map((o) => (o.kind === 'SealedSecret' && o.metadata?.name === 'registry-http-secret' ? { ...bad, spec: { ...bad.spec, encryptedData: {} } } : o));
    expect(referenceProblems(objs)).toEqual([
      'SealedSecret registry/registry-http-secret: spec.template.metadata names registry/other; the controller unseals into registry/registry-http-secret only',
      "Deployment registry/registry: env REGISTRY_HTTP_SECRET reads key 'http-secret' that Secret 'registry-http-secret' lacks",
    ]);
  });

  test('deterministic', () => {
    expect(synth({}, new Sealer(keys.publicKeyPem, Buffer.alloc(32, 3))).files).toEqual(files);
  });
});

describe('npm run synth with secrets.sealedSecrets', () => {
  function project(certLine: string) {
    const dir = tmpDir('k3s-registry-sealed-');
    fs.writeFileSync(path.join(dir, 'sealed-secrets.pem'), keys.publicKeyPem);
    const config = path.join(dir, 'k3s-registry.yaml');
    fs.writeFileSync(config, `domain: example.com\nauth:\n  bcryptCost: 4\nsecrets:\n  sealedSecrets:\n    ${certLine}\n`);
    const run = (stateDir: string, outdir: string, env: NodeJS.ProcessEnv = {}) => {
      const lines: string[] = [];
      const code = synthMain(['--config', config, '--state-dir', path.join(dir, stateDir), '--outdir', path.join(dir, outdir)], env, buildApp, (l) => lines.push(l));
      return { code, log: lines.join('\n') };
    };
    const read = (outdir: string) => Object.fromEntries(fs.readdirSync(path.join(dir, outdir)).map((f) => [f, fs.readFileSync(path.join(dir, outdir, f), 'utf8')]));
    return { dir, config, run, read };
  }

  test('the certificate path is relative to the config; output is the same on a machine with only the secrets', () => {
    const p = project('certificate: sealed-secrets.pem');
    const first = p.run('state', 'dist');
    expect(first.code).toBe(0);
    expect(first.log).toMatch(/Secrets sealed for the controller key [0-9a-f]{16}\)$/);
    const creds = YAML.parse(fs.readFileSync(path.join(p.dir, 'state', 'credentials.yaml'), 'utf8'));
    const elsewhere = p.run('other-state', 'other-dist', {
      CI: 'true',
      K3S_REGISTRY_PASSWORD_ADMIN: creds.users.admin,
      K3S_REGISTRY_PASSWORD_PULL: creds.users.pull,
      K3S_REGISTRY_HTTP_SECRET: creds.httpSecret,
    });
    expect(elsewhere.code).toBe(0);
    expect(p.read('other-dist')).toEqual(p.read('dist'));
    expect(p.read('dist')['auth.yaml']).toContain('kind: SealedSecret');
  });

  test('a missing certificate file', () => {
    const p = project('certificate: nowhere.pem');
    const { code, log } = p.run('state', 'dist');
    expect(code).toBe(1);
    expect(log).toBe(`error: ${p.config}: secrets.sealedSecrets.certificate: cannot read ${path.join(p.dir, 'nowhere.pem')} (ENOENT); fetch it with: kubeseal --fetch-cert > sealed-secrets.pem`);
  });

  test('a file that is not a certificate', () => {
    const p = project('certificate: k3s-registry.yaml');
    const { code, log } = p.run('state', 'dist');
    expect(code).toBe(1);
    expect(log).toMatch(/secrets.sealedSecrets.certificate: .*k3s-registry.yaml: not a PEM certificate or public key .*; fetch it with: kubeseal --fetch-cert > sealed-secrets.pem$/);
  });
});

const { describe: realDescribe, missing } = realPartsDescribe(['docker-registry', 'nginx', 'openssl']);

test('the binaries for the sealed rehearsal are installed (required under CI)', () => {
  if (process.env.CI) expect(missing).toEqual([]);
});

realDescribe('sealed output, unsealed as the controller would, authenticates at the real registry', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  beforeAll(async () => {
    stack = await startStack(unsealAll(synth({}, sealer).objects, keys.privateKeyPem), tmpDir('k3s-registry-sealed-stack-'));
  }, 30000);
  afterAll(async () => stack?.stop());

  test('200 with the password, 401 without', async () => {
    const ca = fs.readFileSync(stack.caFile, 'utf8');
    const url = `https://${stack.publicAddr}/v2/`;
    expect((await get(url, { ca, host: stack.host, auth: `admin:${TEST_PASSWORDS.admin}` })).status).toBe(200);
    expect((await get(url, { ca, host: stack.host })).status).toBe(401);
  });
});
