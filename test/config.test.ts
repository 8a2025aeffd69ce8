import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, loadConfig, resolveConfig } from '../lib/config';
import { tmpDir } from './helpers';

function errorOf(raw: unknown, env: NodeJS.ProcessEnv = {}): string {
  try {
    resolveConfig(raw, env, 'k3s-registry.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('defaults', () => {
  test('only a domain is needed', () => {
    const cfg = resolveConfig({ domain: 'example.com' });
    expect(cfg.hosts).toEqual({ registry: 'registry.example.com', ui: 'registry-ui.example.com' });
    expect(cfg.namespace).toBe('registry');
    expect(cfg.storage.size).toBe('20Gi');
    expect(cfg.ingress.className).toBe('traefik');
    expect(cfg.tls.issuer).toEqual({ kind: 'ClusterIssuer', name: 'letsencrypt-prod' });
    expect(cfg.auth.users.map((u) => u.name)).toEqual(['admin', 'pull']);
    expect(cfg.auth.bcryptCost).toBe(10);
    expect(cfg.registry.image).toBe('registry:2.8.3');
    expect(cfg.distributionMajor).toBe(2);
    expect(cfg.ui).toMatchObject({ enabled: true, public: false, image: 'joxit/docker-registry-ui:2.5.7' });
    expect(cfg.nodes.pullUser).toBe('pull');
  });

  test('environment overrides domain and namespace', () => {
    const cfg = resolveConfig({ domain: 'example.com' }, { K3S_REGISTRY_DOMAIN: 'ci.example.net', K3S_REGISTRY_NAMESPACE: 'reg-ci' });
    expect(cfg.hosts.registry).toBe('registry.ci.example.net');
    expect(cfg.namespace).toBe('reg-ci');
  });

  test('the shipped example config is valid', () => {
    expect(loadConfig(path.join(__dirname, '..', 'examples', 'k3s-registry.yaml')).domain).toBe('example.com');
  });
});

describe('bad input names the field, the problem and the fix', () => {
  test('a domain that is not a DNS name', () => {
    expect(errorOf({ domain: 'Not A Domain' })).toBe(
      "k3s-registry.yaml: domain: 'Not A Domain' is not a DNS name; use lowercase letters, digits, '-' and dots, like example.com");
  });

  test('a missing domain', () => {
    expect(errorOf({})).toBe('k3s-registry.yaml: domain: is required');
  });

  test('20GB instead of 20Gi', () => {
    expect(errorOf({ domain: 'example.com', storage: { size: '20GB' } })).toBe(
      "k3s-registry.yaml: storage.size: '20GB' is not a Kubernetes quantity; use e.g. '20Gi'");
  });

  test('a volume too small for a registry', () => {
    expect(errorOf({ domain: 'example.com', storage: { size: '512Mi' } })).toBe(
      "k3s-registry.yaml: storage.size: '512Mi' is below 1Gi; the registry needs room for layers, e.g. '20Gi'");
  });

  test('an unknown ingress class', () => {
    expect(errorOf({ domain: 'example.com', ingress: { className: 'nginx' } })).toBe(
      "k3s-registry.yaml: ingress.className: 'nginx' is not a supported ingress class; basic auth is a Traefik Middleware, so use 'traefik' (the k3s default)");
  });

  test('a duplicate user', () => {
    expect(errorOf({ domain: 'example.com', auth: { users: [{ name: 'admin' }, { name: 'ci' }, { name: 'admin' }] } })).toBe(
      "k3s-registry.yaml: auth.users[2].name: 'admin' is listed twice (also at auth.users[0]); each user needs one entry");
  });

  test('an image tag latest', () => {
    expect(errorOf({ domain: 'example.com', registry: { image: 'registry:latest' } })).toBe(
      "k3s-registry.yaml: registry.image: 'registry:latest' uses the tag 'latest', which moves under you; pin a version, e.g. 'registry:2.8.3'");
  });

  test('an image without a tag', () => {
    expect(errorOf({ domain: 'example.com', ui: { image: 'joxit/docker-registry-ui' } })).toBe(
      "k3s-registry.yaml: ui.image: 'joxit/docker-registry-ui' is not a pinned image reference; write repository:tag, e.g. 'joxit/docker-registry-ui:2.5.7'");
  });

  test('a registry image that is not distribution 2.x or 3.x', () => {
    expect(errorOf({ domain: 'example.com', registry: { image: 'registry:edge' } })).toMatch(/^k3s-registry.yaml: registry.image: 'registry:edge' has no distribution 2.x or 3.x tag/);
  });

  test('emitting a ClusterIssuer while pointing at an Issuer', () => {
    expect(errorOf({ domain: 'example.com', tls: { issuer: { kind: 'Issuer' }, clusterIssuer: { email: 'ops@example.com' } } })).toBe(
      "k3s-registry.yaml: tls.issuer.kind: is 'Issuer' but tls.clusterIssuer asks to emit a ClusterIssuer; set it to ClusterIssuer or drop tls.clusterIssuer");
  });

  test('resources: a partial override keeps the other defaults; a request above its limit is an error', () => {
    const cfg = resolveConfig({ domain: 'example.com', registry: { resources: { limits: { memory: '1Gi' } } } });
    expect(cfg.registry.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '1', memory: '1Gi' } });
    expect(errorOf({ domain: 'example.com', ui: { resources: { requests: { cpu: '500m', memory: '128Mi' } } } }).split('\n')).toEqual([
      "k3s-registry.yaml: ui.resources.requests.cpu: '500m' is above limits.cpu '200m'; a request cannot exceed its limit",
      "k3s-registry.yaml: ui.resources.requests.memory: '128Mi' is above limits.memory '64Mi'; a request cannot exceed its limit",
    ]);
  });

  test('a misspelled field', () => {
    expect(errorOf({ domain: 'example.com', storage: { sise: '20Gi' } })).toBe(
      'k3s-registry.yaml: storage.sise: unknown field; check the spelling against the config reference in README.md');
  });

  test('a bad user name, a bad cpu and a relative ca file are all reported at once', () => {
    const msg = errorOf({
      domain: 'example.com',
      auth: { users: [{ name: 'Admin!' }] },
      registry: { resources: { requests: { cpu: 'lots' } } },
      nodes: { tls: { caFile: 'ca.pem' } },
    });
    expect(msg.split('\n')).toEqual([
      "k3s-registry.yaml: registry.resources.requests.cpu: 'lots' is not a CPU quantity; use e.g. '100m' or '1'",
      "k3s-registry.yaml: auth.users[0].name: 'Admin!' is not a user name; use lowercase letters, digits, '_', '.', '-' (at most 32)",
      "k3s-registry.yaml: nodes.tls.caFile: 'ca.pem' is not an absolute path; k3s reads it on the node, so write e.g. '/etc/rancher/k3s/registry-ca.pem'",
    ]);
  });

  test('a file that is not a mapping, or not YAML', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'list.yaml'), '- a\n- b\n');
    fs.writeFileSync(path.join(dir, 'bad.yaml'), 'domain: [unclosed\n');
    expect(() => loadConfig(path.join(dir, 'list.yaml'))).toThrow(/must hold a YAML mapping/);
    expect(() => loadConfig(path.join(dir, 'bad.yaml'))).toThrow(/not valid YAML/);
    expect(() => loadConfig(path.join(dir, 'missing.yaml'))).toThrow(/cannot read the config file \(ENOENT\)/);
  });
});
