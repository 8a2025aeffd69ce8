import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MIDDLEWARES_ANNOTATION } from './auth';
import { commonLabels } from './labels';
import { IssuerRef, TlsCertificate } from './tls';

export interface SecureIngressProps {
  /** Name of the Ingress; the Certificate and its Secret are `<name>-tls`. */
  readonly name: string;
  /** The public host name. */
  readonly host: string;
  /** The Service to route to. */
  readonly service: kplus.Service;
  /** The Service port to route to. */
  readonly port: number;
  /** Who signs the host's certificate. */
  readonly issuer: IssuerRef;
  /**
   * Ingress class.
   * @default 'traefik'
   */
  readonly className?: string;
  /**
   * Traefik middlewares to attach (`<namespace>-<name>@kubernetescrd`), e.g.
   * the basic-auth middleware.
   * @default - none: the host is public
   */
  readonly middlewares?: string[];
}

/**
 * An HTTPS-only Ingress for one host with its own cert-manager Certificate.
 * Routed on Traefik's `websecure` entrypoint only, so credentials never cross
 * plain HTTP. Nothing limits the request body: multi-GB layers must pass.
 */
export class SecureIngress extends Construct {
  public readonly certificate: TlsCertificate;
  public readonly ingress: kplus.Ingress;

  constructor(scope: Construct, id: string, props: SecureIngressProps) {
    super(scope, id);
    const middlewares = props.middlewares ?? [];
    this.certificate = new TlsCertificate(this, 'Certificate', { host: props.host, name: `${props.name}-tls`, issuer: props.issuer });
    this.ingress = new kplus.Ingress(this, 'Ingress', {
      metadata: {
        name: props.name,
        labels: commonLabels(props.name),
        annotations: {
          'traefik.ingress.kubernetes.io/router.entrypoints': 'websecure',
          'traefik.ingress.kubernetes.io/router.tls': 'true',
          ...(middlewares.length > 0 ? { [MIDDLEWARES_ANNOTATION]: middlewares.join(',') } : {}),
        },
      },
      className: props.className ?? 'traefik',
      rules: [{
        host: props.host,
        path: '/',
        pathType: kplus.HttpIngressPathType.PREFIX,
        backend: kplus.IngressBackend.fromService(props.service, { port: props.port }),
      }],
      tls: [{ hosts: [props.host], secret: kplus.Secret.fromSecretName(this, 'TlsSecret', this.certificate.secretName) }],
    });
  }
}
