import { referenceProblems } from '../lib/references';
import { KubeObject, SchemaValidator, ValidationError } from '../lib/validate';
import { find, synth } from './helpers';

const validator = new SchemaValidator();
const clone = <T>(o: T): any => JSON.parse(JSON.stringify(o));

describe('schema validation of the synthesized objects', () => {
  const { objects } = synth({ tls: { clusterIssuer: { email: 'ops@example.com' } } });

  test('every object of the default output is valid', () => {
    expect(objects.flatMap((o) => validator.check(o))).toEqual([]);
    expect(referenceProblems(objects)).toEqual([]);
  });

  test('a wrong type in a built-in kind names the object and the field', () => {
    const d = clone(find(objects, 'Deployment', 'registry'));
    d.spec.replicas = 'one';
    expect(validator.check(d)).toEqual(['Deployment registry/registry: spec.replicas: must be integer']);
  });

  test('a missing required field in a built-in kind', () => {
    const d = clone(find(objects, 'Deployment', 'registry'));
    delete d.spec.template.spec.containers[0].name;
    expect(validator.check(d)).toEqual(['Deployment registry/registry: spec.template.spec.containers[0].name: required field is missing']);
  });

  test('a bad quantity in a built-in kind', () => {
    const pvc = clone(find(objects, 'PersistentVolumeClaim', 'registry-data'));
    pvc.spec.resources.requests.storage = '20 GB';
    expect(validator.check(pvc)).toContain('PersistentVolumeClaim registry/registry-data: spec.resources.requests.storage: must match format "quantity"');
  });

  test('an unknown field in a CRD spec', () => {
    const mw = clone(find(objects, 'Middleware', 'registry-basic-auth'));
    mw.spec.basicAuth.users_secret = 'x';
    expect(validator.check(mw)).toEqual(['Middleware registry/registry-basic-auth: spec.basicAuth.users_secret: unknown field']);
  });

  test('a wrong type and a missing required field in a CRD', () => {
    const cert = clone(find(objects, 'Certificate', 'registry-tls'));
    cert.spec.dnsNames = 'registry.example.com';
    delete cert.spec.issuerRef.name;
    expect(validator.check(cert).sort()).toEqual([
      'Certificate registry/registry-tls: spec.dnsNames: must be array',
      'Certificate registry/registry-tls: spec.issuerRef.name: required field is missing',
    ]);
  });

  test('a ClusterIssuer with a field cert-manager does not know', () => {
    const ci = clone(find(objects, 'ClusterIssuer', 'letsencrypt-prod'));
    ci.spec.acme.solvers[0].http01.ingress.klass = 'traefik';
    expect(validator.check(ci)).toEqual(['ClusterIssuer letsencrypt-prod: spec.acme.solvers[0].http01.ingress.klass: unknown field']);
  });

  test('names and labels the API server would reject', () => {
    const s = clone(find(objects, 'Service', 'registry'));
    s.metadata.name = 'Registry_Service';
    s.metadata.labels['app.kubernetes.io/version'] = '-bad-';
    expect(validator.check(s)).toEqual([
      "Service registry/Registry_Service: metadata.name: 'Registry_Service' is not a DNS-1123 subdomain",
      "Service registry/Registry_Service: metadata.labels.app.kubernetes.io/version: '-bad-' is not a valid label value (63 characters at most, alphanumeric at both ends)",
    ]);
  });

  test('a kind without a schema is refused, not waved through', () => {
    const o: KubeObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'registry' } };
    expect(validator.check(o)).toEqual(["Widget registry/w: apiVersion/kind 'example.com/v1/Widget' has no schema here; add its CRD to crds/ and to the validator"]);
  });

  test('checkAll throws a ValidationError listing every problem', () => {
    const d = clone(find(objects, 'Deployment', 'registry'));
    d.spec.replicas = 'x';
    expect(() => validator.checkAll([d])).toThrow(ValidationError);
    expect(() => validator.checkAll([d])).toThrow('invalid output, nothing was written:\n  - Deployment registry/registry: spec.replicas: must be integer');
  });
});

test('a public UI IngressRoute is valid and its references resolve; a broken one is caught', () => {
  const { objects } = synth({ ui: { public: true } });
  expect(objects.flatMap((o) => validator.check(o))).toEqual([]);
  expect(referenceProblems(objects)).toEqual([]);
  const route = clone(find(objects, 'IngressRoute', 'registry-ui'));
  route.spec.routes[0].matchh = route.spec.routes[0].match;
  expect(validator.check(route)).toEqual(['IngressRoute registry/registry-ui: spec.routes[0].matchh: unknown field']);
  route.spec.routes[1].middlewares[0].name = 'nope';
  route.spec.routes[0].services[0].port = 8080;
  route.spec.routes[0].match = 'Host(`elsewhere.example.com`)';
  const objs = objects.map((o) => (o.kind === 'IngressRoute' ? route : o));
  expect(referenceProblems(objs)).toEqual([
    "IngressRoute registry/registry-ui: route port 8080 is not a port of Service 'registry-ui'",
    "IngressRoute registry/registry-ui: route middleware 'registry/nope' is not defined by any Middleware",
    "IngressRoute registry/registry-ui: host 'elsewhere.example.com' is not in Certificate registry-ui-tls's dnsNames",
  ]);
});

describe('cross-object references', () => {
  const { objects } = synth();
  const without = (kind: string, name: string) => objects.filter((o) => !(o.kind === kind && o.metadata?.name === name));

  test('an Ingress whose TLS secret no Certificate issues', () => {
    expect(referenceProblems(without('Certificate', 'registry-tls'))).toEqual(["Ingress registry/registry: spec.tls secret 'registry-tls' is not issued by any Certificate"]);
  });

  test('an Ingress whose middleware is missing', () => {
    expect(referenceProblems(without('Middleware', 'registry-basic-auth'))).toEqual([
      "Ingress registry/registry: middleware 'registry-registry-basic-auth@kubernetescrd' is not defined by any Middleware",
      "Ingress registry/registry-ui: middleware 'registry-registry-basic-auth@kubernetescrd' is not defined by any Middleware",
    ]);
  });

  test('a Deployment whose claim, config or secret is missing', () => {
    const objs = without('PersistentVolumeClaim', 'registry-data').filter((o) => o.metadata?.name !== 'registry-http-secret');
    expect(referenceProblems(objs)).toEqual([
      "Deployment registry/registry: volume 'data' uses missing PersistentVolumeClaim 'registry-data'",
      "Deployment registry/registry: env REGISTRY_HTTP_SECRET reads missing Secret 'registry-http-secret'",
    ]);
  });

  test('a Service that selects no pods, and objects outside any created namespace', () => {
    const objs = without('Deployment', 'registry-ui').concat([{ ...clone(find(objects, 'ConfigMap', 'registry-config')), metadata: { name: 'x', namespace: 'other' } }]);
    expect(referenceProblems(objs)).toEqual([
      'Service registry/registry-ui: selector matches 0 Deployments; expected exactly 1',
      "ConfigMap other/x: namespace 'other' is not created by this output",
    ]);
  });
});
