import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Middleware } from '../imports/middlewares-traefik.io';
import { commonLabels } from './labels';
import { Sealer } from './seal';
import { RegistrySecret } from './secret';

/** The annotation that attaches Traefik middlewares to an Ingress. */
export const MIDDLEWARES_ANNOTATION = 'traefik.ingress.kubernetes.io/router.middlewares';
/** Key of the htpasswd lines in the Secret, as Traefik's basicAuth expects. */
export const HTPASSWD_KEY = 'users';

export interface BasicAuthProps {
  /**
   * Name of the Secret and of the Middleware.
   * @default 'registry-basic-auth'
   */
  readonly name?: string;

  /**
   * htpasswd lines (`user:$2b$...`), one per user, bcrypt-hashed.
   */
  readonly htpasswd: string;

  /**
   * The realm browsers and `docker login` show.
   * @default 'k3s-registry'
   */
  readonly realm?: string;

  /**
   * Seal the htpasswd Secret for the sealed-secrets controller.
   * @default - a plain Secret
   */
  readonly sealer?: Sealer;
}

/**
 * Basic auth checked at the ingress: a Secret with bcrypt htpasswd lines and
 * a Traefik `basicAuth` Middleware that reads it. The Authorization header is
 * removed before the request reaches the backend.
 */
export class BasicAuth extends Construct {
  /** Value for the router.middlewares annotation: `<namespace>-<name>@kubernetescrd`. */
  public readonly middlewareRef: string;
  /** The Middleware, for IngressRoutes. */
  public readonly middleware: { readonly name: string; readonly namespace: string };

  constructor(scope: Construct, id: string, props: BasicAuthProps) {
    super(scope, id);
    const name = props.name ?? 'registry-basic-auth';
    const lines = props.htpasswd.split('\n').filter((l) => l.length > 0);
    if (lines.length === 0) throw new Error('htpasswd is empty; at least one user is needed');
    for (const line of lines) {
      if (!/^[^:\s]+:\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}$/.test(line)) {
        throw new Error(`htpasswd line for '${line.split(':')[0]}' is not a bcrypt hash; only bcrypt is accepted`);
      }
    }
    const namespace = Chart.of(this).namespace ?? 'default';
    const labels = commonLabels('registry-auth');

    const secret = new RegistrySecret(this, 'Secret', {
      name,
      labels,
      stringData: { [HTPASSWD_KEY]: lines.join('\n') + '\n' },
      sealer: props.sealer,
    });
    new Middleware(this, 'Middleware', {
      metadata: { name, labels },
      spec: {
        basicAuth: {
          secret: secret.name,
          realm: props.realm ?? 'k3s-registry',
          removeHeader: true,
        },
      },
    });
    this.middlewareRef = `${namespace}-${name}@kubernetescrd`;
    this.middleware = { name, namespace };
  }
}
