import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { BasicAuth } from './lib/auth';
import { SecureIngress } from './lib/ingress';
import { commonLabels } from './lib/labels';
import { PublicReadRoute } from './lib/public-route';
import { toSize } from './lib/quantity';
import { Registry } from './lib/registry';
import { REGISTRY_PORT } from './lib/registry-config';
import { StackInput, synthMain } from './lib/synth-cli';
import { AcmeClusterIssuer } from './lib/tls';
import { RegistryUi, UI_PORT } from './lib/ui';

/**
 * Composes the whole stack. One chart per output file, named for what it
 * holds, so a pull request's diff says which part changed.
 */
export function buildApp(input: StackInput): App {
  const { config } = input;
  const app = new App();
  const namespace = config.namespace;
  const issuer = config.tls.issuer;

  const cluster = new Chart(app, '00-namespace');
  new kplus.Namespace(cluster, 'Namespace', { metadata: { name: namespace, labels: commonLabels('registry-namespace') } });

  if (config.tls.clusterIssuer) {
    const issuers = new Chart(app, 'cluster-issuer');
    new AcmeClusterIssuer(issuers, 'Issuer', {
      name: issuer.name,
      email: config.tls.clusterIssuer.email,
      server: config.tls.clusterIssuer.server,
      ingressClassName: config.ingress.className,
    });
  }

  const authChart = new Chart(app, 'auth', { namespace });
  const auth = new BasicAuth(authChart, 'BasicAuth', { htpasswd: input.htpasswd, realm: config.auth.realm, sealer: input.sealer });

  const registryChart = new Chart(app, 'registry', { namespace });
  const registry = new Registry(registryChart, 'Registry', {
    image: config.registry.image,
    distributionMajor: config.distributionMajor,
    storageSize: toSize(config.storage.size),
    storageClassName: config.storage.storageClassName,
    accessMode: config.storage.accessMode as kplus.PersistentVolumeAccessMode,
    deleteEnabled: config.registry.deleteEnabled,
    httpSecret: input.httpSecret,
    sealer: input.sealer,
    resources: config.registry.resources,
  });
  new SecureIngress(registryChart, 'Ingress', {
    name: 'registry',
    host: config.hosts.registry,
    service: registry.service,
    port: REGISTRY_PORT,
    issuer,
    className: config.ingress.className,
    middlewares: [auth.middlewareRef],
  });

  if (config.ui.enabled) {
    const uiChart = new Chart(app, 'ui', { namespace });
    const ui = new RegistryUi(uiChart, 'Ui', {
      image: config.ui.image,
      registryUrl: registry.inClusterUrl,
      publicHost: config.hosts.registry,
      title: config.ui.title,
      deleteImages: config.ui.deleteImages && config.registry.deleteEnabled,
      resources: config.ui.resources,
    });
    const route = { name: 'registry-ui', host: config.hosts.ui, service: ui.service, port: UI_PORT, issuer };
    if (config.ui.public) {
      // Anyone may browse; pushes and deletes through the UI's proxy still need a login.
      new PublicReadRoute(uiChart, 'Route', { ...route, writeMiddleware: auth.middleware });
    } else {
      new SecureIngress(uiChart, 'Ingress', { ...route, className: config.ingress.className, middlewares: [auth.middlewareRef] });
    }
  }
  return app;
}

/** Command-line entry: `npm run synth -- [options]`. Returns the exit code. */
export function cli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  return synthMain(argv, env, buildApp);
}

if (require.main === module) process.exitCode = cli(process.argv.slice(2));

