/**
 * Standard `app.kubernetes.io/*` labels, computed in one place.
 * Selector labels are the stable subset (no version), so upgrading an image
 * never changes a Deployment's immutable selector.
 */

export const PART_OF = 'k3s-registry';

/** Labels that select a component's pods. Never include the version. */
export function selectorLabels(component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': component,
    'app.kubernetes.io/instance': PART_OF,
  };
}

/** Labels for every object of a component. */
export function commonLabels(component: string, version?: string): Record<string, string> {
  return {
    ...selectorLabels(component),
    ...(version ? { 'app.kubernetes.io/version': version } : {}),
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': PART_OF,
  };
}

/** The tag of an image reference (`registry:2.8.3` -> `2.8.3`), without a digest. */
export function imageTag(image: string): string {
  const ref = image.split('@')[0];
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? ref.slice(colon + 1) : '';
}
