import { Size } from 'cdk8s';
import { ContainerResources, Cpu } from 'cdk8s-plus-28';

/**
 * Kubernetes quantities as the config accepts them, and their conversion to
 * the cdk8s types. Only the forms a person writes by hand are accepted, so a
 * typo such as `20GB` is caught instead of reaching the cluster.
 */

/** A memory or storage size with a binary suffix: `512Mi`, `20Gi`, `1Ti`. */
export const BINARY_SIZE = /^([1-9][0-9]*)(Mi|Gi|Ti)$/;

/** CPU as millicores (`250m`) or whole/decimal cores (`1`, `0.5`). */
export const CPU = /^(?:([1-9][0-9]*)m|([0-9]+(?:\.[0-9]{1,3})?))$/;

export function toSize(quantity: string): Size {
  const match = BINARY_SIZE.exec(quantity);
  if (!match) {
    throw new Error(`'${quantity}' is not a binary size; use e.g. '512Mi', '20Gi' or '1Ti'`);
  }
  const amount = Number(match[1]);
  switch (match[2]) {
    case 'Mi': return Size.mebibytes(amount);
    case 'Gi': return Size.gibibytes(amount);
    default: return Size.tebibytes(amount);
  }
}

/** A binary size in MiB, for comparisons. */
export function toMebibytes(quantity: string): number {
  return toSize(quantity).toMebibytes();
}

/** A CPU quantity in millicores, for comparisons. */
export function toMillicores(quantity: string): number {
  const match = CPU.exec(quantity);
  if (!match) throw new Error(`'${quantity}' is not a CPU quantity; use e.g. '250m' or '1'`);
  return match[1] !== undefined ? Number(match[1]) : Math.round(Number(match[2]) * 1000);
}

export function toCpu(quantity: string): Cpu {
  const match = CPU.exec(quantity);
  if (!match) {
    throw new Error(`'${quantity}' is not a CPU quantity; use e.g. '250m' or '1'`);
  }
  return match[1] !== undefined ? Cpu.millis(Number(match[1])) : Cpu.units(Number(match[2]));
}

/** Requests and limits as the config writes them. */
export interface ResourceQuantities {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu?: string; readonly memory: string };
}

/** Converts config quantities into cdk8s-plus container resources. */
export function toContainerResources(q: ResourceQuantities): ContainerResources {
  return {
    cpu: { request: toCpu(q.requests.cpu), limit: q.limits.cpu === undefined ? undefined : toCpu(q.limits.cpu) },
    memory: { request: toSize(q.requests.memory), limit: toSize(q.limits.memory) },
  };
}
