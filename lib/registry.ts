import * as crypto from 'crypto';
import { Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { hardenedContainer } from './hardening';
import { commonLabels, imageTag } from './labels';
import { ResourceQuantities, toContainerResources } from './quantity';
import { clusterService } from './workload';
import { Sealer } from './seal';
import { RegistrySecret } from './secret';
import { configDirectory, distributionConfig, REGISTRY_PORT, renderDistributionConfig, STORAGE_ROOT } from './registry-config';

/** The uid/gid the registry runs as (the twuni chart's choice). */
export const REGISTRY_UID = 1000;
/** The pinned distribution image used when none is given. */
export const DEFAULT_REGISTRY_IMAGE = 'registry:2.8.3';
/** Requests and limits sized for a small node. */
export const DEFAULT_REGISTRY_RESOURCES: ResourceQuantities = {
  requests: { cpu: '50m', memory: '64Mi' },
  limits: { cpu: '1', memory: '512Mi' },
};
/** Key of the http secret inside its Secret. */
export const HTTP_SECRET_KEY = 'http-secret';

export interface RegistryProps {
  /**
   * Name of the Service, and prefix of every other object's name.
   * @default 'registry'
   */
  readonly name?: string;

  /**
   * The distribution image, pinned to a version.
   * @default 'registry:2.8.3'
   */
  readonly image?: string;

  /**
   * Distribution major version of `image`; decides where `config.yml` is
   * mounted (2.x: /etc/docker/registry, 3.x: /etc/distribution).
   * @default 2
   */
  readonly distributionMajor?: 2 | 3;

  /**
   * Size of the PersistentVolumeClaim for blobs and manifests.
   * @default Size.gibibytes(20)
   */
  readonly storageSize?: Size;

  /**
   * Storage class of the claim.
   * @default - the cluster's default class (local-path on k3s)
   */
  readonly storageClassName?: string;

  /**
   * Access mode of the claim.
   * @default kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE
   */
  readonly accessMode?: kplus.PersistentVolumeAccessMode;

  /**
   * Allow deleting manifests through the API (needed by the UI's delete button
   * and by garbage collection).
   * @default true
   */
  readonly deleteEnabled?: boolean;

  /**
   * The registry's `http.secret`, which signs upload state. Keep it stable:
   * a new value invalidates uploads in progress.
   */
  readonly httpSecret: string;

  /**
   * CPU and memory requests and limits.
   * @default - requests 50m / 64Mi, limits 1 CPU / 512Mi
   */
  readonly resources?: ResourceQuantities;

  /**
   * Seal the http secret for the sealed-secrets controller.
   * @default - a plain Secret
   */
  readonly sealer?: Sealer;
}

/**
 * The distribution registry: config, http secret, volume claim, a single
 * replica Deployment (Recreate, since the volume is ReadWriteOnce) and a
 * ClusterIP Service. No auth inside: it is checked at the ingress.
 */
export class Registry extends Construct {
  /** The ClusterIP Service in front of the registry. */
  public readonly service: kplus.Service;
  /** The registry's URL inside the cluster, for in-cluster clients such as the UI. */
  public readonly inClusterUrl: string;
  /** The registry's `config.yml` as mounted. */
  public readonly configYaml: string;
  public readonly deployment: kplus.Deployment;
  public readonly claim: kplus.PersistentVolumeClaim;

  constructor(scope: Construct, id: string, props: RegistryProps) {
    super(scope, id);
    const name = props.name ?? 'registry';
    const image = props.image ?? DEFAULT_REGISTRY_IMAGE;
    const major = props.distributionMajor ?? 2;
    const storageSize = props.storageSize ?? Size.gibibytes(20);
    if (!props.httpSecret || props.httpSecret.length < 16) {
      throw new Error(`httpSecret must be at least 16 characters (got ${props.httpSecret ? props.httpSecret.length : 0})`);
    }
    if (storageSize.toMebibytes() < 1024) {
      throw new Error(`storageSize ${storageSize.toMebibytes()}Mi is below 1Gi; the registry needs room for layers`);
    }
    const labels = commonLabels(name, imageTag(image));
    const namespace = Chart.of(this).namespace;

    this.configYaml = renderDistributionConfig(distributionConfig({ deleteEnabled: props.deleteEnabled ?? true }));
    const config = new kplus.ConfigMap(this, 'Config', {
      metadata: { name: `${name}-config`, labels },
      data: { 'config.yml': this.configYaml },
    });
    const { secret } = new RegistrySecret(this, 'HttpSecret', {
      name: `${name}-http-secret`,
      labels,
      stringData: { [HTTP_SECRET_KEY]: props.httpSecret },
      sealer: props.sealer,
    });

    this.claim = new kplus.PersistentVolumeClaim(this, 'Data', {
      metadata: { name: `${name}-data`, labels },
      storage: storageSize,
      storageClassName: props.storageClassName,
      accessModes: [props.accessMode ?? kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE],
    });

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name, labels },
      replicas: 1,
      strategy: kplus.DeploymentStrategy.recreate(),
      select: false,
      podMetadata: {
        labels,
        annotations: {
          // Restart the pod when its config or secret changes.
          'checksum/config': sha256(this.configYaml),
          // Keyed by the secret itself: changes with it, and reveals nothing of it.
          'checksum/http-secret': crypto.createHmac('sha256', props.httpSecret).update('k3s-registry/checksum').digest('hex'),
        },
      },
      securityContext: { user: REGISTRY_UID, group: REGISTRY_UID, fsGroup: REGISTRY_UID, ensureNonRoot: true },
      automountServiceAccountToken: false,
    });

    const probe = (failureThreshold: number) => kplus.Probe.fromHttpGet('/', {
      port: REGISTRY_PORT,
      periodSeconds: Duration.seconds(10),
      timeoutSeconds: Duration.seconds(2),
      failureThreshold,
    });
    this.deployment.addContainer({
      name: 'registry',
      image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      ports: [{ name: 'http', number: REGISTRY_PORT }],
      envVariables: {
        REGISTRY_HTTP_SECRET: kplus.EnvValue.fromSecretValue({ secret, key: HTTP_SECRET_KEY }),
      },
      readiness: probe(3),
      liveness: probe(6),
      resources: toContainerResources(props.resources ?? DEFAULT_REGISTRY_RESOURCES),
      securityContext: hardenedContainer({ readOnlyRootFilesystem: true, nonRoot: true, user: REGISTRY_UID, group: REGISTRY_UID }),
      volumeMounts: [
        { path: STORAGE_ROOT, volume: kplus.Volume.fromPersistentVolumeClaim(this, 'DataVolume', this.claim, { name: 'data' }) },
        { path: configDirectory(major), volume: kplus.Volume.fromConfigMap(this, 'ConfigVolume', config, { name: 'config' }), readOnly: true },
      ],
    });

    this.service = clusterService(this, this.deployment, { name, labels, port: REGISTRY_PORT });
    this.inClusterUrl = `http://${name}.${namespace ?? 'default'}.svc.cluster.local:${REGISTRY_PORT}`;
  }
}

function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}
