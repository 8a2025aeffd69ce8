import * as fs from 'fs';
import * as path from 'path';
import { find, synth, TEST_PASSWORDS, tmpDir } from './helpers';
import { makeOciLayout, OciImage, tarOneFile } from './support/oci';
import { get, realPartsDescribe, run } from './support/processes';
import { RunningStack, startStack } from './support/stack';

/**
 * The rehearsal: what dist/ describes, run with real parts. Debian's
 * docker-registry (distribution 2.8) with the synthesized config.yml and
 * http secret, nginx with TLS and the synthesized htpasswd in front, skopeo
 * as the client, and podman for the docker login / tag / push / pull flow.
 */
const { describe: realDescribe, missing } = realPartsDescribe(['docker-registry', 'skopeo', 'nginx', 'openssl', 'podman']);

test('the rehearsal binaries are installed (required under CI)', () => {
  if (process.env.CI) expect(missing).toEqual([]);
});

realDescribe('rehearsal with the real registry', () => {
  const { objects } = synth();
  let dir: string;
  let stack: RunningStack;
  let image: OciImage;
  let ca: string;
  const user = 'admin';
  const password = TEST_PASSWORDS.admin;
  const repo = 'rehearsal/hello';
  let authfile: string;

  const skopeo = (...args: string[]) => run('skopeo', ['--insecure-policy', ...args], { PATH: process.env.PATH, HOME: dir, TMPDIR: dir });

  beforeAll(async () => {
    dir = tmpDir('k3s-registry-rehearsal-');
    stack = await startStack(objects, dir);
    ca = fs.readFileSync(stack.caFile, 'utf8');
    image = makeOciLayout(path.join(dir, 'image'), '1.0', 'hello from the k3s-registry rehearsal\n');
    authfile = path.join(dir, 'auth.json');
  }, 30000);

  afterAll(async () => {
    await stack?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the catalog demands credentials: 401 without, 401 with a wrong password', async () => {
    const url = `https://${stack.publicAddr}/v2/_catalog`;
    const anonymous = await get(url, { ca, host: stack.host });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Basic realm="k3s-registry"');
    expect((await get(url, { ca, host: stack.host, auth: `${user}:wrong-password` })).status).toBe(401);
    expect((await get(url, { ca, host: stack.host, auth: `nobody:${password}` })).status).toBe(401);
  });

  test('every synthesized user can log in', async () => {
    for (const u of ['admin', 'pull']) {
      expect((await get(`https://${stack.publicAddr}/v2/`, { ca, host: stack.host, auth: `${u}:${TEST_PASSWORDS[u]}` })).status).toBe(200);
    }
  });

  test('skopeo logs in, pushes, inspects and pulls back the same digests', () => {
    skopeo('login', '--authfile', authfile, '--cert-dir', stack.certDir, '-u', user, '-p', password, stack.publicAddr);
    expect(fs.statSync(authfile).size).toBeGreaterThan(0);

    skopeo('copy', '--authfile', authfile, '--dest-cert-dir', stack.certDir, '--preserve-digests',
      `oci:${image.layout}:${image.tag}`, `docker://${stack.publicAddr}/${repo}:${image.tag}`);

    const inspected = JSON.parse(skopeo('inspect', '--authfile', authfile, '--cert-dir', stack.certDir, `docker://${stack.publicAddr}/${repo}:${image.tag}`));
    expect(inspected.Digest).toBe(image.manifestDigest);
    expect(inspected.Layers).toEqual([image.layerDigest]);

    const pulled = path.join(dir, 'pulled');
    skopeo('copy', '--authfile', authfile, '--src-cert-dir', stack.certDir, '--preserve-digests',
      `docker://${stack.publicAddr}/${repo}:${image.tag}`, `oci:${pulled}:${image.tag}`);
    const index = JSON.parse(fs.readFileSync(path.join(pulled, 'index.json'), 'utf8'));
    expect(index.manifests[0].digest).toBe(image.manifestDigest);
    const layer = fs.readFileSync(path.join(pulled, 'blobs', 'sha256', image.layerDigest.slice('sha256:'.length)));
    expect(layer.equals(fs.readFileSync(path.join(image.layout, 'blobs', 'sha256', image.layerDigest.slice('sha256:'.length))))).toBe(true);
  });

  test('the catalog lists the repository with the right credentials', async () => {
    const res = await get(`https://${stack.publicAddr}/v2/_catalog`, { ca, host: stack.host, auth: `${user}:${password}` });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ repositories: [repo] });
  });

  test('the UI path: the synthesized proxy target is the registry Service and serves the catalog without credentials', async () => {
    const service = find(objects, 'Service', 'registry');
    expect(stack.uiProxyTarget).toBe(`http://${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local:${service.spec.ports[0].port}`);
    const viaUi = await get(`${stack.uiUrl}/v2/_catalog`);
    expect(viaUi.status).toBe(200);
    expect(JSON.parse(viaUi.body)).toEqual({ repositories: [repo] });
    expect((await get(`https://${stack.publicAddr}/v2/_catalog`, { ca, host: stack.host })).status).toBe(401);
  });

  test('the docker-style flow with podman: login, import, tag, push, pull', () => {
    const root = path.join(dir, 'podman');
    const tarball = path.join(dir, 'rootfs.tar');
    fs.writeFileSync(tarball, tarOneFile('hello.txt', Buffer.from('pushed with podman\n')));
    const podman = (...args: string[]) => run('podman', ['--root', path.join(root, 'storage'), '--runroot', path.join(root, 'run'), '--storage-driver', 'vfs', ...args],
      { PATH: process.env.PATH, HOME: dir, TMPDIR: dir, XDG_RUNTIME_DIR: path.join(root, 'xdg') });
    const ref = `${stack.publicAddr}/team/app:2.0`;
    const auth = ['--authfile', path.join(dir, 'podman-auth.json'), '--cert-dir', stack.certDir];
    expect(podman('login', ...auth, '-u', 'pull', '-p', TEST_PASSWORDS.pull, stack.publicAddr)).toContain('Login Succeeded');
    const id = podman('import', tarball, 'localhost/app:2.0').trim().split('\n').pop()!;
    podman('tag', 'localhost/app:2.0', ref);
    podman('push', ...auth, ref);
    podman('rmi', '--force', id);
    podman('pull', ...auth, ref);
    expect(podman('images', '--format', '{{.Repository}}:{{.Tag}}')).toContain(ref);
    const inspected = JSON.parse(skopeo('inspect', '--authfile', authfile, '--cert-dir', stack.certDir, `docker://${ref}`));
    expect(inspected.Layers).toHaveLength(1);
  });

  test('delete the manifest, garbage-collect with the same config: the layer blob is gone', () => {
    const blob = path.join(stack.storageDir, 'docker', 'registry', 'v2', 'blobs', 'sha256', image.layerDigest.slice(7, 9), image.layerDigest.slice(7), 'data');
    expect(fs.existsSync(blob)).toBe(true);
    skopeo('delete', '--authfile', authfile, '--cert-dir', stack.certDir, `docker://${stack.publicAddr}/${repo}@${image.manifestDigest}`);
    const gc = run('docker-registry', ['garbage-collect', '--delete-untagged', stack.configFile], stack.registryEnv);
    expect(gc).toMatch(/blob eligible for deletion|marking manifest|blobs marked/);
    expect(fs.existsSync(blob)).toBe(false);
  });
});
