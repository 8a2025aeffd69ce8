import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IngressRoute, IngressRouteSpecRoutesKind, IngressRouteSpecRoutesServicesPort } from '../imports/ingressroutes-traefik.io';
import { commonLabels } from './labels';
import { IssuerRef, TlsCertificate } from './tls';

/** A Traefik Middleware in a namespace. */
export interface MiddlewareRef {
  readonly name: string;
  readonly namespace: string;
}

export interface PublicReadRouteProps {
  /** Name of the IngressRoute; the Certificate and its Secret are `<name>-tls`. */
  readonly name: string;
  /** The public host name. */
  readonly host: string;
  /** The Service to route to. */
  readonly service: kplus.Service;
  /** The Service port to route to. */
  readonly port: number;
  /** Who signs the host's certificate. */
  readonly issuer: IssuerRef;
  /** The middleware every other method must pass (basic auth). */
  readonly writeMiddleware: MiddlewareRef;
}

/**
 * A host that anyone may read but only authenticated users may change.
 *
 * The UI's nginx proxies every method on /v2 to the registry, so an Ingress
 * without auth would let anyone push and delete through the UI host. A
 * Traefik IngressRoute can match on the method, which a plain Ingress cannot:
 * GET and HEAD go straight through, anything else passes the basic-auth
 * middleware first. HTTPS only, certificate from cert-manager.
 */
export class PublicReadRoute extends Construct {
  public readonly certificate: TlsCertificate;

  constructor(scope: Construct, id: string, props: PublicReadRouteProps) {
    super(scope, id);
    this.certificate = new TlsCertificate(this, 'Certificate', { host: props.host, name: `${props.name}-tls`, issuer: props.issuer });
    const host = `Host(\`${props.host}\`)`;
    const services = [{ name: props.service.name, port: IngressRouteSpecRoutesServicesPort.fromNumber(props.port) }];
    new IngressRoute(this, 'Resource', {
      metadata: { name: props.name, labels: commonLabels(props.name) },
      spec: {
        entryPoints: ['websecure'],
        routes: [
          { kind: IngressRouteSpecRoutesKind.RULE, match: `${host} && (Method(\`GET\`) || Method(\`HEAD\`))`, priority: 20, services },
          { kind: IngressRouteSpecRoutesKind.RULE, match: host, priority: 10, services, middlewares: [{ ...props.writeMiddleware }] },
        ],
        tls: { secretName: this.certificate.secretName },
      },
    });
  }
}
