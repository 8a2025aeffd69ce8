import * as bcrypt from 'bcryptjs';
import * as YAML from 'yaml';
import { MIDDLEWARES_ANNOTATION } from '../lib/auth';
import { KUSTOMIZATION_FILE } from '../lib/manifests';
import { find, synth, TEST_HTTP_SECRET, TEST_PASSWORDS } from './helpers';

describe('default config', () => {
  // GIVEN only a domain
  const { files, objects } = synth();

  test('the whole output matches the snapshot', () => {
    expect(Object.fromEntries(files.map((f) => [f.name, f.content]))).toMatchSnapshot();
  });

  test('files: namespace first, one per component, and a kustomization listing them all', () => {
    expect(files.map((f) => f.name)).toEqual(['00-namespace.yaml', 'auth.yaml', 'registry.yaml', 'ui.yaml', KUSTOMIZATION_FILE]);
    const k = YAML.parse(files.find((f) => f.name === KUSTOMIZATION_FILE)!.content);
    expect(k.resources).toEqual(['00-namespace.yaml', 'auth.yaml', 'registry.yaml', 'ui.yaml']);
  });

  test('every namespaced object is in the registry namespace', () => {
    expect(find(objects, 'Namespace', 'registry')).toBeDefined();
    for (const o of objects.filter((x) => x.kind !== 'Namespace')) expect(o.metadata?.namespace).toBe('registry');
  });

  test('the PVC asks for 20Gi, ReadWriteOnce, and is mounted at /var/lib/registry', () => {
    const pvc = find(objects, 'PersistentVolumeClaim', 'registry-data');
    expect(pvc.spec.resources.requests.storage).toBe('20Gi');
    expect(pvc.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(pvc.spec.storageClassName).toBeUndefined();
    const pod = find(objects, 'Deployment', 'registry').spec.template.spec;
    const vol = pod.volumes.find((v: any) => v.persistentVolumeClaim?.claimName === 'registry-data');
    expect(pod.containers[0].volumeMounts).toContainEqual({ mountPath: '/var/lib/registry', name: vol.name });
  });

  test('the registry runs one replica with Recreate, as uid/gid 1000 with fsGroup 1000, hardened', () => {
    const d = find(objects, 'Deployment', 'registry');
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    const pod = d.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, runAsNonRoot: true });
    expect(pod.containers[0].securityContext).toMatchObject({
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers[0].image).toBe('registry:2.8.3');
  });

  test('resources are sized for a small node, not a whole CPU request', () => {
    const c = find(objects, 'Deployment', 'registry').spec.template.spec.containers[0];
    expect(c.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '1', memory: '512Mi' } });
  });

  test('probes are HTTP GET / on port 5000', () => {
    const c = find(objects, 'Deployment', 'registry').spec.template.spec.containers[0];
    for (const probe of [c.readinessProbe, c.livenessProbe]) expect(probe.httpGet).toEqual({ path: '/', port: 5000, scheme: 'HTTP' });
  });

  test('config.yml: filesystem storage, deletes on, storage-driver health check, no auth section; mounted where 2.x reads it', () => {
    const cm = find(objects, 'ConfigMap', 'registry-config');
    const cfg = YAML.parse(cm.data['config.yml']);
    expect(cfg.storage.filesystem.rootdirectory).toBe('/var/lib/registry');
    expect(cfg.storage.delete.enabled).toBe(true);
    expect(cfg.health.storagedriver.enabled).toBe(true);
    expect(cfg.auth).toBeUndefined();
    const c = find(objects, 'Deployment', 'registry').spec.template.spec.containers[0];
    expect(c.volumeMounts).toContainEqual({ mountPath: '/etc/docker/registry', name: 'config', readOnly: true });
  });

  test('http.secret comes from a Secret through REGISTRY_HTTP_SECRET', () => {
    const c = find(objects, 'Deployment', 'registry').spec.template.spec.containers[0];
    const env = c.env.find((e: any) => e.name === 'REGISTRY_HTTP_SECRET');
    expect(env.valueFrom.secretKeyRef).toEqual({ name: 'registry-http-secret', key: 'http-secret' });
    expect(find(objects, 'Secret', 'registry-http-secret').stringData['http-secret']).toBe(TEST_HTTP_SECRET);
  });

  test('services: registry on 5000 and the UI on 80, ClusterIP, selected by standard labels', () => {
    const reg = find(objects, 'Service', 'registry');
    expect(reg.spec.type).toBe('ClusterIP');
    expect(reg.spec.ports).toEqual([{ name: 'http', port: 5000, targetPort: 5000 }]);
    expect(reg.spec.selector).toEqual({ 'app.kubernetes.io/name': 'registry', 'app.kubernetes.io/instance': 'k3s-registry' });
    expect(find(objects, 'Service', 'registry-ui').spec.ports[0].port).toBe(80);
  });

  test('no generated hash labels or names anywhere', () => {
    const text = files.map((f) => f.content).join('\n');
    expect(text).not.toContain('cdk8s.io/metadata.addr');
    expect(text).not.toMatch(/name: [a-z-]+-c8[0-9a-f]{6}/);
  });

  test('basic auth: a bcrypt htpasswd Secret and a Traefik basicAuth Middleware reading it', () => {
    const secret = find(objects, 'Secret', 'registry-basic-auth');
    const lines: string[] = secret.stringData.users.trim().split('\n');
    expect(lines.map((l) => l.split(':')[0])).toEqual(['admin', 'pull']);
    for (const line of lines) {
      const [user, hash] = [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)];
      expect(hash).toMatch(/^\$2[aby]\$/);
      expect(bcrypt.compareSync(TEST_PASSWORDS[user], hash)).toBe(true);
    }
    const mw = find(objects, 'Middleware', 'registry-basic-auth');
    expect(mw.apiVersion).toBe('traefik.io/v1alpha1');
    expect(mw.spec.basicAuth).toEqual({ secret: 'registry-basic-auth', realm: 'k3s-registry', removeHeader: true });
  });

  test('both ingresses require the basic-auth middleware, HTTPS only, class traefik', () => {
    for (const name of ['registry', 'registry-ui']) {
      const ing = find(objects, 'Ingress', name);
      expect(ing.metadata.annotations[MIDDLEWARES_ANNOTATION]).toBe('registry-registry-basic-auth@kubernetescrd');
      expect(ing.metadata.annotations['traefik.ingress.kubernetes.io/router.entrypoints']).toBe('websecure');
      expect(ing.spec.ingressClassName).toBe('traefik');
    }
  });

  test('TLS: each host has a cert-manager Certificate from letsencrypt-prod whose secret the Ingress uses', () => {
    for (const [name, host, port] of [['registry', 'registry.example.com', 5000], ['registry-ui', 'registry-ui.example.com', 80]] as const) {
      const ing = find(objects, 'Ingress', name);
      const cert = find(objects, 'Certificate', `${name}-tls`);
      expect(cert.apiVersion).toBe('cert-manager.io/v1');
      expect(cert.spec.dnsNames).toEqual([host]);
      expect(cert.spec.issuerRef).toEqual({ group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt-prod' });
      expect(ing.spec.tls).toEqual([{ hosts: [host], secretName: cert.spec.secretName }]);
      expect(ing.spec.rules[0].host).toBe(host);
      expect(ing.spec.rules[0].http.paths[0].backend.service).toEqual({ name: name === 'registry' ? 'registry' : 'registry-ui', port: { number: port } });
    }
  });

  test('nothing limits the request body on the registry ingress', () => {
    const ing = find(objects, 'Ingress', 'registry');
    const text = JSON.stringify(ing);
    expect(text).not.toMatch(/body|buffering|maxRequestBodyBytes/i);
    expect(objects.filter((o) => o.kind === 'Middleware').map((m: any) => Object.keys(m.spec))).toEqual([['basicAuth']]);
  });

  test('the UI proxies to the internal registry Service, single-registry mode, no credentials', () => {
    const c = find(objects, 'Deployment', 'registry-ui').spec.template.spec.containers[0];
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
    expect(env.NGINX_PROXY_PASS_URL).toBe('http://registry.registry.svc.cluster.local:5000');
    expect(env.SINGLE_REGISTRY).toBe('true');
    expect(JSON.stringify(c.env)).not.toMatch(/secretKeyRef|PASSWORD/);
    expect(c.image).toBe('joxit/docker-registry-ui:2.5.7');
  });

  test('no image uses latest or lacks a tag', () => {
    const images = objects.filter((o) => o.kind === 'Deployment').flatMap((d: any) => d.spec.template.spec.containers.map((c: any) => c.image));
    expect(images).toHaveLength(2);
    for (const img of images) expect(img).toMatch(/:[0-9][\w.-]*$/);
  });

  test('no ClusterIssuer unless asked for', () => {
    expect(objects.some((o) => o.kind === 'ClusterIssuer')).toBe(false);
  });
});

describe('options', () => {
  test('a public UI: anyone may GET and HEAD, every other method (push, delete through the UI proxy) needs the login', () => {
    const { objects } = synth({ ui: { public: true } });
    expect(objects.some((o) => o.kind === 'Ingress' && o.metadata?.name === 'registry-ui')).toBe(false);
    const route = find(objects, 'IngressRoute', 'registry-ui');
    expect(route.apiVersion).toBe('traefik.io/v1alpha1');
    expect(route.spec.entryPoints).toEqual(['websecure']);
    expect(route.spec.tls).toEqual({ secretName: find(objects, 'Certificate', 'registry-ui-tls').spec.secretName });
    const [read, write] = route.spec.routes;
    expect(read.match).toBe('Host(`registry-ui.example.com`) && (Method(`GET`) || Method(`HEAD`))');
    expect(read.middlewares).toBeUndefined();
    expect(write.match).toBe('Host(`registry-ui.example.com`)');
    expect(write.middlewares).toEqual([{ name: 'registry-basic-auth', namespace: 'registry' }]);
    expect(read.priority).toBeGreaterThan(write.priority);
    for (const r of [read, write]) expect(r.services).toEqual([{ name: 'registry-ui', port: 80 }]);
    expect(find(objects, 'Ingress', 'registry').metadata.annotations[MIDDLEWARES_ANNOTATION]).toBe('registry-registry-basic-auth@kubernetescrd');
  });

  test('the UI can be left out', () => {
    const { files, objects } = synth({ ui: { enabled: false } });
    expect(files.map((f) => f.name)).not.toContain('ui.yaml');
    expect(objects.some((o) => o.metadata?.name === 'registry-ui')).toBe(false);
  });

  test('storage size, class and access mode; namespace and hosts', () => {
    const { objects } = synth({ namespace: 'infra', storage: { size: '100Gi', storageClassName: 'longhorn' }, hosts: { ui: 'ui.example.org' } });
    const pvc = find(objects, 'PersistentVolumeClaim', 'registry-data');
    expect(pvc.spec.resources.requests.storage).toBe('100Gi');
    expect(pvc.spec.storageClassName).toBe('longhorn');
    expect(pvc.metadata.namespace).toBe('infra');
    expect(find(objects, 'Ingress', 'registry-ui').spec.rules[0].host).toBe('ui.example.org');
    expect(find(objects, 'Middleware', 'registry-basic-auth').metadata.namespace).toBe('infra');
    expect(find(objects, 'Ingress', 'registry').metadata.annotations[MIDDLEWARES_ANNOTATION]).toBe('infra-registry-basic-auth@kubernetescrd');
    const env = find(objects, 'Deployment', 'registry-ui').spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'NGINX_PROXY_PASS_URL').value).toBe('http://registry.infra.svc.cluster.local:5000');
  });

  test('distribution 3.x mounts its config at /etc/distribution', () => {
    const { objects } = synth({ registry: { image: 'registry:3.0.0' } });
    const c = find(objects, 'Deployment', 'registry').spec.template.spec.containers[0];
    expect(c.volumeMounts.map((m: any) => m.mountPath)).toEqual(['/var/lib/registry', '/etc/distribution']);
  });

  test('an ACME ClusterIssuer on request, solving HTTP-01 through traefik', () => {
    const { files, objects } = synth({ tls: { clusterIssuer: { email: 'ops@example.com' } } });
    const ci = find(objects, 'ClusterIssuer', 'letsencrypt-prod');
    expect(ci.metadata.namespace).toBeUndefined();
    expect(ci.spec.acme).toMatchObject({ email: 'ops@example.com', server: 'https://acme-v02.api.letsencrypt.org/directory' });
    expect(ci.spec.acme.solvers).toEqual([{ http01: { ingress: { ingressClassName: 'traefik' } } }]);
    expect(files.map((f) => f.name)).toContain('cluster-issuer.yaml');
  });

  test('deleting images in the UI needs deletes in the registry', () => {
    const { objects } = synth({ registry: { deleteEnabled: false } });
    const env = find(objects, 'Deployment', 'registry-ui').spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'DELETE_IMAGES').value).toBe('false');
    expect(YAML.parse(find(objects, 'ConfigMap', 'registry-config').data['config.yml']).storage.delete.enabled).toBe(false);
  });

  test('a registry config change restarts the registry pod (checksum annotation), a UI title change does not', () => {
    const annotations = (raw: Record<string, unknown>) => find(synth(raw).objects, 'Deployment', 'registry').spec.template.metadata.annotations;
    const base = annotations({});
    expect(Object.keys(base)).toEqual(['checksum/config', 'checksum/http-secret']);
    expect(annotations({ registry: { deleteEnabled: false } })['checksum/config']).not.toBe(base['checksum/config']);
    expect(annotations({ ui: { title: 'Other' } })).toEqual(base);
  });

  test('same input, byte-identical output', () => {
    const a = synth({ ui: { title: 'x' } }).files;
    const b = synth({ ui: { title: 'x' } }).files;
    expect(b).toEqual(a);
  });
});
