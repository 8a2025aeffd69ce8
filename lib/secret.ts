import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SealedSecret } from '../imports/sealedsecrets-bitnami.com';
import { Sealer } from './seal';

export interface RegistrySecretProps {
  /** Name of the Secret in the cluster. */
  readonly name: string;
  readonly labels: Record<string, string>;
  /** Keys and their plaintext values. */
  readonly stringData: Record<string, string>;
  /**
   * Seal the values for the sealed-secrets controller: the output holds a
   * SealedSecret (safe to commit) and the controller creates the Secret.
   * @default - a plain Secret with `stringData`
   */
  readonly sealer?: Sealer;
}

/**
 * A Secret, written either in the clear (`stringData`) or sealed as a
 * Bitnami SealedSecret with the strict scope. Either way the cluster ends up
 * with a Secret of the same name and keys, which `secret` refers to.
 */
export class RegistrySecret extends Construct {
  /** The Secret as workloads reference it. */
  public readonly secret: kplus.ISecret;
  public readonly name: string;

  constructor(scope: Construct, id: string, props: RegistrySecretProps) {
    super(scope, id);
    this.name = props.name;
    if (!props.sealer) {
      this.secret = new kplus.Secret(this, 'Resource', { metadata: { name: props.name, labels: props.labels }, stringData: props.stringData });
      return;
    }
    const namespace = Chart.of(this).namespace;
    if (!namespace) throw new Error(`secret '${props.name}' must live in a namespaced chart to be sealed (the scope is namespace/name)`);
    const sealer = props.sealer;
    new SealedSecret(this, 'Resource', {
      metadata: { name: props.name, labels: props.labels },
      spec: {
        encryptedData: Object.fromEntries(Object.entries(props.stringData).map(([k, v]) => [k, sealer.seal(namespace, props.name, v)])),
        template: { metadata: { name: props.name, namespace, labels: props.labels }, type: 'Opaque' },
      },
    });
    this.secret = kplus.Secret.fromSecretName(this, 'Ref', props.name);
  }
}
