// Pod predicates as podutil has them (IsPodReady, IsPodAvailable), and the order daemon pods
// are kept in (podByCreationTimestampAndPhase: running before pending, then oldest first).
import type { Pod } from './types';

const ready = (pod: Pod) => pod.status?.conditions?.find((c) => c.type === 'Ready');

export const isPodReady = (pod: Pod): boolean => ready(pod)?.status === 'True';

export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = Date.parse(ready(pod)?.lastTransitionTime ?? '');
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= now;
}

export function byCreationTimestampAndPhase(a: Pod, b: Pod): number {
  const running = (p: Pod): number => (p.status?.phase === 'Running' ? 0 : 1);
  if (running(a) !== running(b)) return running(a) - running(b);
  const t = (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '');
  return t || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}
