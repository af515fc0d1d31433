// Which StatefulSet a pod event concerns (addPod/updatePod/deletePod in stateful_set.go): its
// controller's, or, for an orphan, every set in its namespace that selects it (one may adopt it).
import { getControllerOf, labelSelectorFromObject } from '@keelson/api';
import { keyOf, type MapFunc, type ReadOnlyCache } from '@keelson/controller-runtime';
import type { Pod, StatefulSet } from './types';

export function podToStatefulSets(sets: ReadOnlyCache<StatefulSet>): MapFunc<Pod> {
  return (pod) => {
    const ref = getControllerOf(pod);
    if (ref) {
      if (ref.kind !== 'StatefulSet' || !ref.apiVersion.startsWith('apps/')) return undefined;
      return `${pod.metadata.namespace}/${ref.name}`;
    }
    if (pod.metadata.deletionTimestamp) return undefined;
    return sets.byNamespace(pod.metadata.namespace ?? '').filter((s) => {
      const sel = labelSelectorFromObject(s.spec?.selector);
      return !sel.isEmpty() && sel.matches(pod.metadata.labels);
    }).map(keyOf);
  };
}
