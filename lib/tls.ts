import { Construct } from 'constructs';
import { Certificate, CertificateSpecPrivateKeyAlgorithm, CertificateSpecPrivateKeyRotationPolicy } from '../imports/certificates-cert-manager.io';
import { ClusterIssuer } from '../imports/clusterissuers-cert-manager.io';
import { commonLabels } from './labels';

/** A cert-manager issuer to sign certificates with. */
export interface IssuerRef {
  /** `ClusterIssuer` (cluster-wide) or `Issuer` (in the registry's namespace). */
  readonly kind: 'ClusterIssuer' | 'Issuer';
  readonly name: string;
}

export interface TlsCertificateProps {
  /** The DNS name the certificate is for. */
  readonly host: string;
  /** Name of the Certificate and of the Secret it fills. */
  readonly name: string;
  /** Who signs it. */
  readonly issuer: IssuerRef;
}

/** A cert-manager Certificate for one host; `secretName` is what an Ingress uses for TLS. */
export class TlsCertificate extends Construct {
  /** The kubernetes.io/tls Secret cert-manager writes. */
  public readonly secretName: string;
  public readonly host: string;

  constructor(scope: Construct, id: string, props: TlsCertificateProps) {
    super(scope, id);
    this.secretName = props.name;
    this.host = props.host;
    new Certificate(this, 'Resource', {
      metadata: { name: props.name, labels: commonLabels('registry-tls') },
      spec: {
        secretName: this.secretName,
        dnsNames: [props.host],
        issuerRef: { group: 'cert-manager.io', kind: props.issuer.kind, name: props.issuer.name },
        privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256, rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS },
      },
    });
  }
}

export interface AcmeClusterIssuerProps {
  /** Name of the ClusterIssuer. */
  readonly name: string;
  /** Contact address for the ACME account (expiry notices). */
  readonly email: string;
  /** ACME directory URL. */
  readonly server: string;
  /** Ingress class that serves the HTTP-01 challenge. */
  readonly ingressClassName: string;
}

/** An ACME ClusterIssuer solving HTTP-01 through the ingress controller. */
export class AcmeClusterIssuer extends Construct {
  constructor(scope: Construct, id: string, props: AcmeClusterIssuerProps) {
    super(scope, id);
    new ClusterIssuer(this, 'Resource', {
      metadata: { name: props.name, labels: commonLabels('registry-tls') },
      spec: {
        acme: {
          email: props.email,
          server: props.server,
          privateKeySecretRef: { name: `${props.name}-account-key` },
          solvers: [{ http01: { ingress: { ingressClassName: props.ingressClassName } } }],
        },
      },
    });
  }
}
