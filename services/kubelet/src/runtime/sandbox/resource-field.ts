// resourceFieldRef values (downward API env and volumes; kube's resource.ExtractContainerResourceValue):
// a container's requests or limits of cpu, memory or ephemeral-storage divided by `divisor`
// and rounded up; a limit left unset reads as the node's allocatable (this machine's here).
import { cpus, totalmem } from 'node:os';
import { parseQuantity } from '@keelson/api';
import type { Container, Pod } from '../../types';

export interface ResourceFieldSelector {
  containerName?: string;
  resource?: string;
  divisor?: string | number;
}

interface Resources { requests?: Record<string, string>; limits?: Record<string, string> }

export function resourceFieldValue(pod: Pod, ref: ResourceFieldSelector, self?: Container): string {
  const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
  const c = ref.containerName ? all.find((x) => x.name === ref.containerName) : self;
  const res = ((c as { resources?: Resources } | undefined)?.resources) ?? {};
  const [kind, name] = (ref.resource ?? '').split('.', 2) as ['requests' | 'limits', string];
  const nodeAllocatable: Record<string, number> = { cpu: cpus().length, memory: totalmem(), 'ephemeral-storage': 0 };
  let value = parseQuantity(res[kind]?.[name]);
  if (value === undefined) value = kind === 'limits' ? nodeAllocatable[name] ?? 0 : kind === 'requests' && name === 'cpu' ? 0 : 0;
  const divisor = parseQuantity(ref.divisor ?? (name === 'cpu' ? '1' : '1')) || 1;
  return String(Math.ceil(value / divisor - 1e-9));
}
