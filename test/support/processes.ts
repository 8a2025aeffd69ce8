import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';

/** Binaries the real-parts tests need, and the Debian package of each. */
export const DEBIAN_PACKAGES: Record<string, string> = {
  'docker-registry': 'docker-registry',
  'skopeo': 'skopeo',
  'nginx': 'nginx-light',
  'openssl': 'openssl',
  'htpasswd': 'apache2-utils',
  'podman': 'podman',
};

export function which(bin: string): string | undefined {
  for (const dir of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin', ...(process.env.PATH ?? '').split(':')]) {
    const p = `${dir}/${bin}`;
    if (dir && fs.existsSync(p)) return p;
  }
  return undefined;
}

/**
 * The binaries that are missing. Under CI a missing binary must fail the
 * suite (returns `describe` and the caller asserts); elsewhere the suite is
 * skipped with a loud message naming the packages to install.
 */
export function realPartsDescribe(bins: readonly string[]): { describe: jest.Describe; missing: string[] } {
  const missing = bins.filter((b) => !which(b));
  if (missing.length > 0 && !process.env.CI) {
    const pkgs = [...new Set(missing.map((b) => DEBIAN_PACKAGES[b] ?? b))].join(' ');
    // eslint-disable-next-line no-console
    console.warn(`SKIPPING real-registry tests: missing ${missing.join(', ')}. Install with: apt-get install -y ${pkgs}`);
    return { describe: describe.skip, missing };
  }
  return { describe, missing };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Processes started by a test, all stopped by `stopAll()` (call it in afterAll, so also on failure). */
export class Processes {
  private readonly children: { name: string; child: ChildProcess; output: string[] }[] = [];

  public start(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    child.stdout?.on('data', (d) => output.push(String(d)));
    child.stderr?.on('data', (d) => output.push(String(d)));
    this.children.push({ name, child, output });
    return child;
  }

  /** What a process printed, for failure messages. */
  public output(name: string): string {
    return this.children.find((c) => c.name === name)?.output.join('').slice(-4000) ?? '';
  }

  public async stopAll(): Promise<void> {
    await Promise.all(this.children.map(({ child }) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => { clearTimeout(timer); resolve(); });
      child.kill('SIGTERM');
    })));
  }
}

export interface Response {
  readonly status: number;
  readonly body: string;
  readonly headers: http.IncomingHttpHeaders;
}

/** A GET over HTTP or HTTPS; `ca` pins the test CA, `servername`/`host` choose the virtual host. */
export function get(url: string, opts: { auth?: string; ca?: string; host?: string } = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const client = u.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = {};
    if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    if (opts.host) headers.Host = opts.host;
    const req = client.request(u, { method: 'GET', headers, ca: opts.ca, servername: opts.host?.split(':')[0], timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Polls until `fn` resolves truthy or the deadline passes. */
export async function waitFor(what: string, fn: () => Promise<boolean>, timeoutMs = 10000, detail = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await fn()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${detail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): string {
  return execFileSync(cmd, args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A throwaway CA and a server certificate for `names` (DNS names and 127.0.0.1). */
export function makeTls(dir: string, names: string[]): { caFile: string; certFile: string; keyFile: string } {
  const caKey = `${dir}/ca.key`;
  const caFile = `${dir}/ca.crt`;
  const keyFile = `${dir}/server.key`;
  const certFile = `${dir}/server.crt`;
  run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', caKey, '-out', caFile,
    '-days', '2', '-subj', '/CN=k3s-registry test CA']);
  run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', `${dir}/server.csr`, '-subj', `/CN=${names[0]}`]);
  fs.writeFileSync(`${dir}/ext.cnf`, `subjectAltName=${[...names.map((n) => `DNS:${n}`), 'IP:127.0.0.1'].join(',')}\n`);
  run('openssl', ['x509', '-req', '-in', `${dir}/server.csr`, '-CA', caFile, '-CAkey', caKey, '-CAcreateserial', '-out', certFile, '-days', '2', '-extfile', `${dir}/ext.cnf`]);
  return { caFile, certFile, keyFile };
}
