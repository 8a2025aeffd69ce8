import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { selectorLabels } from './labels';

/**
 * A ClusterIP Service for a single-container Deployment, with readable,
 * stable selectors.
 *
 * cdk8s-plus selects pods through a generated `cdk8s.io/metadata.addr`
 * label derived from the construct path. We select on the standard
 * `app.kubernetes.io/name` + `instance` labels instead, and drop the
 * generated one, so renaming a construct never changes an immutable
 * Deployment selector and the YAML reads like a hand-written chart.
 */
export interface ClusterServiceProps {
  /** Name of the Service; also the component the selector labels name. */
  readonly name: string;
  readonly labels: Record<string, string>;
  /** Port of the Service and of the container (named `http`). */
  readonly port: number;
}

export function clusterService(scope: Construct, deployment: kplus.Deployment, props: ClusterServiceProps): kplus.Service {
  const service = new kplus.Service(scope, 'Service', {
    metadata: { name: props.name, labels: props.labels },
    type: kplus.ServiceType.CLUSTER_IP,
    ports: [{ name: 'http', port: props.port, targetPort: props.port }],
  });
  const selector = selectorLabels(props.name);
  deployment.select(kplus.LabelSelector.of({ labels: selector }));
  for (const [key, value] of Object.entries(selector)) service.selectLabel(key, value);
  ApiObject.of(deployment).addJsonPatch(JsonPatch.remove(`/spec/template/metadata/labels/${kplus.Pod.ADDRESS_LABEL.replace(/\//g, '~1')}`));
  return service;
}
