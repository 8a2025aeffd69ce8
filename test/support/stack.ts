import * as fs from 'fs';
import * as path from 'path';
import { KubeObject } from '../../lib/validate';
import { freePort, get, makeTls, Processes, waitFor } from './processes';

/**
 * The real registry as dist/ describes it, on this machine: Debian's
 * docker-registry started with the config.yml from the synthesized
 * ConfigMap and the http secret from the synthesized Secret; nginx in front
 * with TLS and basic auth from the synthesized htpasswd Secret (standing in
 * for Traefik); and a second nginx server standing in for the UI pod, which
 * proxies to the target in the UI Deployment's NGINX_PROXY_PASS_URL.
 */

type Any = any;

export interface RunningStack {
  /** Public endpoint (TLS + basic auth), as host:port for clients that connect to localhost. */
  readonly publicAddr: string;
  /** The synthesized registry host, served by the ingress stand-in. */
  readonly host: string;
  readonly caFile: string;
  /** A folder with ca.crt, for skopeo's --cert-dir. */
  readonly certDir: string;
  /** The registry itself, no auth (what in-cluster clients reach). */
  readonly directUrl: string;
  /** The UI stand-in's base URL. */
  readonly uiUrl: string;
  /** The URL the UI proxies to, as synthesized. */
  readonly uiProxyTarget: string;
  readonly configFile: string;
  readonly storageDir: string;
  /** Env that makes docker-registry use this stack's storage and address. */
  readonly registryEnv: NodeJS.ProcessEnv;
  readonly processes: Processes;
  stop(): Promise<void>;
}

function one(objects: readonly KubeObject[], kind: string, pred: (o: Any) => boolean = () => true): Any {
  const found = objects.filter((o) => o.kind === kind && pred(o));
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0];
}

export async function startStack(objects: readonly KubeObject[], dir: string): Promise<RunningStack> {
  const processes = new Processes();
  try {
    const deployment = one(objects, 'Deployment', (d) => d.spec.template.spec.containers[0].name === 'registry');
    const container = deployment.spec.template.spec.containers[0];
    const pod = deployment.spec.template.spec;

    // config.yml exactly as the pod mounts it.
    const configMount = container.volumeMounts.find((m: Any) => m.name === pod.volumes.find((v: Any) => v.configMap)?.name);
    const configMap = one(objects, 'ConfigMap', (c) => c.metadata.name === pod.volumes.find((v: Any) => v.configMap).configMap.name);
    if (configMount.mountPath !== '/etc/docker/registry') throw new Error(`config mounted at ${configMount.mountPath}; the 2.x image reads /etc/docker/registry/config.yml`);
    const configFile = path.join(dir, 'config.yml');
    fs.writeFileSync(configFile, configMap.data['config.yml']);

    // The http secret through the same variable the Deployment sets.
    const secretEnv = container.env.find((e: Any) => e.name === 'REGISTRY_HTTP_SECRET').valueFrom.secretKeyRef;
    const httpSecret = one(objects, 'Secret', (s) => s.metadata.name === secretEnv.name).stringData[secretEnv.key];

    // Storage: the data volume's mount path must be the config's root directory; only its place on disk moves.
    const storageDir = path.join(dir, 'storage');
    fs.mkdirSync(storageDir);
    const regPort = await freePort();
    const registryEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      REGISTRY_HTTP_SECRET: httpSecret,
      REGISTRY_HTTP_ADDR: `127.0.0.1:${regPort}`,
      REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: storageDir,
    };
    processes.start('registry', 'docker-registry', ['serve', configFile], registryEnv);
    const directUrl = `http://127.0.0.1:${regPort}`;
    await waitFor('docker-registry', async () => (await get(`${directUrl}/`)).status === 200, 10000, () => processes.output('registry'));

    // Ingress stand-in: TLS for the Ingress host, basic auth from the Middleware's Secret.
    const ingress = one(objects, 'Ingress', (i) => i.spec.rules[0].http.paths[0].backend.service.name === 'registry');
    const host: string = ingress.spec.rules[0].host;
    const middleware = one(objects, 'Middleware');
    const htpasswd = one(objects, 'Secret', (s) => s.metadata.name === middleware.spec.basicAuth.secret).stringData.users;
    fs.writeFileSync(path.join(dir, 'htpasswd'), htpasswd);
    const tlsDir = path.join(dir, 'tls');
    fs.mkdirSync(tlsDir);
    const tls = makeTls(tlsDir, [host, 'localhost']);
    const certDir = path.join(dir, 'certs.d');
    fs.mkdirSync(certDir);
    fs.copyFileSync(tls.caFile, path.join(certDir, 'ca.crt'));

    // UI stand-in: proxies /v2/ to the synthesized target, resolved to the local registry.
    const uiDeployment = one(objects, 'Deployment', (d) => d.spec.template.spec.containers[0].name === 'ui');
    const uiProxyTarget: string = uiDeployment.spec.template.spec.containers[0].env.find((e: Any) => e.name === 'NGINX_PROXY_PASS_URL').value;
    const target = new URL(uiProxyTarget);

    const tlsPort = await freePort();
    const uiPort = await freePort();
    for (const t of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) fs.mkdirSync(path.join(dir, 'tmp', t), { recursive: true, mode: 0o777 });
    fs.writeFileSync(path.join(dir, 'nginx.conf'), `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  upstream registry_service { server 127.0.0.1:${regPort}; }
  # The cluster DNS name the UI proxies to, resolved to the local registry.
  upstream ${target.hostname} { server 127.0.0.1:${regPort}; }
  server {
    listen 127.0.0.1:${tlsPort} ssl;
    server_name ${host} localhost;
    ssl_certificate ${tls.certFile};
    ssl_certificate_key ${tls.keyFile};
    client_max_body_size 0;
    location / {
      auth_basic "${middleware.spec.basicAuth.realm}";
      auth_basic_user_file ${dir}/htpasswd;
      proxy_pass http://registry_service;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Proto https;
      proxy_set_header Authorization "";
      proxy_request_buffering off;
      proxy_buffering off;
    }
  }
  server {
    listen 127.0.0.1:${uiPort};
    location /v2/ { proxy_pass http://${target.hostname}; }
  }
}
`);
    fs.chmodSync(dir, 0o755);
    for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) fs.chmodSync(path.join(dir, f), fs.statSync(path.join(dir, f)).isDirectory() ? 0o777 : 0o644);
    processes.start('nginx', 'nginx', ['-e', 'stderr', '-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { PATH: process.env.PATH });
    const publicAddr = `localhost:${tlsPort}`;
    const ca = fs.readFileSync(tls.caFile, 'utf8');
    await waitFor('nginx', async () => (await get(`https://${publicAddr}/v2/`, { ca })).status === 401, 10000, () => processes.output('nginx'));

    return {
      publicAddr, host, caFile: tls.caFile, certDir, directUrl, uiUrl: `http://127.0.0.1:${uiPort}`, uiProxyTarget,
      configFile, storageDir, registryEnv, processes,
      stop: () => processes.stopAll(),
    };
  } catch (e) {
    await processes.stopAll();
    throw e;
  }
}
