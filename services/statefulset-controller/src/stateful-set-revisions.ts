// The current and update revisions of a StatefulSet (getStatefulSetRevisions and truncateHistory
// in stateful_set_control.go). The update revision is the template as it is now: an existing
// revision with the same data is reused (renumbered to the newest when it is an older one, as
// `kubectl rollout undo` produces), otherwise one is created. The current revision is the one
// status.currentRevision names, or the update revision for a new set.
import { isNotFound, type KeelsonClient } from '@keelson/client';
import {
  createControllerRevision, findEqualRevisions, hashControllerRevision, newControllerRevision, nextRevision,
  sortControllerRevisions, templatePatch, type ControllerRevision,
} from '@keelson/controller-runtime';
import { podRevision } from './stateful-set-utils';
import { CONTROLLERREVISIONS } from './types';
import { STATEFULSET_KIND, type Pod, type StatefulSet } from './types';

export interface SetRevisions {
  current: ControllerRevision;
  update: ControllerRevision;
  collisionCount: number;
}

/** newRevision: the set's template as revision number `revision`. */
export function newRevision(set: StatefulSet, revision: number, collisionCount: number): ControllerRevision {
  return newControllerRevision(set, STATEFULSET_KIND, set.spec?.template?.metadata?.labels, templatePatch(set.spec?.template), revision, collisionCount);
}

export async function getStatefulSetRevisions(
  client: Pick<KeelsonClient, 'create' | 'get' | 'update'>, set: StatefulSet, owned: readonly ControllerRevision[], signal?: AbortSignal,
): Promise<SetRevisions> {
  const revisions = sortControllerRevisions(owned);
  let collisionCount = set.status?.collisionCount ?? 0;
  let update = newRevision(set, nextRevision(revisions), collisionCount);
  const equal = findEqualRevisions(revisions, update);
  const latest = revisions[revisions.length - 1];
  if (equal.length && equal[equal.length - 1].metadata.name === latest?.metadata.name) {
    update = latest; // the template has not changed since the newest revision
  } else if (equal.length) {
    // Back to an older template (rollout undo): that revision becomes the newest.
    const old = equal[equal.length - 1];
    update = await client.update(CONTROLLERREVISIONS, { ...old, revision: update.revision }, { signal });
  } else {
    const data = update.data;
    const created = await createControllerRevision(client, set, update, collisionCount, (n) => hashControllerRevision(data, n), signal);
    update = created.revision;
    collisionCount = created.collisionCount;
  }
  const current = revisions.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount };
}

/**
 * truncateHistory: keeps revisionHistoryLimit revisions besides the live ones (current,
 * update, and any a pod still runs), deleting the oldest first.
 */
export async function truncateHistory(
  client: Pick<KeelsonClient, 'delete'>, set: StatefulSet, pods: readonly Pod[], revisions: readonly ControllerRevision[],
  live: SetRevisions, signal?: AbortSignal,
): Promise<void> {
  const keep = new Set([live.current.metadata.name, live.update.metadata.name, ...pods.map(podRevision)]);
  const history = sortControllerRevisions(revisions).filter((r) => !keep.has(r.metadata.name));
  const excess = history.length - (set.spec?.revisionHistoryLimit ?? 10);
  for (const r of history.slice(0, Math.max(0, excess))) {
    try {
      await client.delete(CONTROLLERREVISIONS, r.metadata.namespace, r.metadata.name!, { preconditions: { uid: r.metadata.uid }, signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
