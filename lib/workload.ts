import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { selectorLabels } from './labels';

/**
 * Readable, stable selectors for a Deployment and its Service.
 *
 * cdk8s-plus selects pods through a generated `cdk8s.io/metadata.addr`
 * label derived from the construct path. We select on the standard
 * `app.kubernetes.io/name` + `instance` labels instead, and drop the
 * generated one, so renaming a construct never changes an immutable
 * Deployment selector and the YAML reads like a hand-written chart.
 */
export function selectByStandardLabels(deployment: kplus.Deployment, service: kplus.Service, component: string): void {
  const labels = selectorLabels(component);
  deployment.select(kplus.LabelSelector.of({ labels }));
  for (const [key, value] of Object.entries(labels)) service.selectLabel(key, value);
  ApiObject.of(deployment).addJsonPatch(JsonPatch.remove(`/spec/template/metadata/labels/${kplus.Pod.ADDRESS_LABEL.replace(/\//g, '~1')}`));
}
