import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { hardenedContainer } from './hardening';
import { commonLabels, imageTag } from './labels';
import { ResourceQuantities, toContainerResources } from './quantity';
import { clusterService } from './workload';

/** The port the UI's nginx listens on. */
export const UI_PORT = 80;

/** The pinned UI image used when none is given. */
export const DEFAULT_UI_IMAGE = 'joxit/docker-registry-ui:2.5.7';
/** Requests and limits: the UI is a static page behind nginx. */
export const DEFAULT_UI_RESOURCES: ResourceQuantities = {
  requests: { cpu: '10m', memory: '16Mi' },
  limits: { cpu: '200m', memory: '64Mi' },
};

export interface RegistryUiProps {
  /**
   * Name of the Deployment and Service.
   * @default 'registry-ui'
   */
  readonly name?: string;

  /**
   * The joxit/docker-registry-ui image, pinned.
   * @default 'joxit/docker-registry-ui:2.5.7'
   */
  readonly image?: string;

  /**
   * The registry's in-cluster URL. The UI's nginx proxies `/v2` there, so
   * the browser needs no CORS and the UI needs no registry password.
   */
  readonly registryUrl: string;

  /**
   * The registry's public host, shown in the copy-able `docker pull` lines.
   */
  readonly publicHost: string;

  /**
   * Title of the page.
   * @default 'Docker registry'
   */
  readonly title?: string;

  /**
   * Show the delete button (the registry must allow deletes).
   * @default true
   */
  readonly deleteImages?: boolean;

  /**
   * CPU and memory requests and limits.
   * @default - requests 10m / 16Mi, limits 200m / 64Mi
   */
  readonly resources?: ResourceQuantities;
}

/** joxit/docker-registry-ui in single-registry mode, proxying to the registry Service. */
export class RegistryUi extends Construct {
  public readonly service: kplus.Service;
  public readonly deployment: kplus.Deployment;

  constructor(scope: Construct, id: string, props: RegistryUiProps) {
    super(scope, id);
    const name = props.name ?? 'registry-ui';
    const image = props.image ?? DEFAULT_UI_IMAGE;
    if (!/^https?:\/\/[^/]+$/.test(props.registryUrl)) {
      throw new Error(`registryUrl '${props.registryUrl}' must be scheme://host[:port] with no path, e.g. http://registry.registry.svc.cluster.local:5000`);
    }
    const labels = commonLabels(name, imageTag(image));
    const env: Record<string, string> = {
      SINGLE_REGISTRY: 'true',
      NGINX_PROXY_PASS_URL: props.registryUrl,
      REGISTRY_TITLE: props.title ?? 'Docker registry',
      PULL_URL: props.publicHost,
      DELETE_IMAGES: String(props.deleteImages ?? true),
      SHOW_CONTENT_DIGEST: 'true',
      SHOW_CATALOG_NB_TAGS: 'true',
      CATALOG_ELEMENTS_LIMIT: '1000',
      TAGLIST_PAGE_SIZE: '100',
      REGISTRY_SECURED: 'false',
    };

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name, labels },
      replicas: 1,
      select: false,
      podMetadata: { labels },
      automountServiceAccountToken: false,
      // The image's entrypoint rewrites nginx's config and nginx starts as root.
      securityContext: { ensureNonRoot: false },
    });
    const probe = kplus.Probe.fromHttpGet('/', { port: UI_PORT, periodSeconds: Duration.seconds(10), timeoutSeconds: Duration.seconds(2) });
    this.deployment.addContainer({
      name: 'ui',
      image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      ports: [{ name: 'http', number: UI_PORT }],
      envVariables: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])),
      readiness: probe,
      liveness: probe,
      resources: toContainerResources(props.resources ?? DEFAULT_UI_RESOURCES),
      securityContext: hardenedContainer({ readOnlyRootFilesystem: false, nonRoot: false }),
    });

    this.service = clusterService(this, this.deployment, { name, labels, port: UI_PORT });
  }
}
