// A DaemonSet's ControllerRevisions (constructHistory, snapshot, cleanupHistory in update.go):
// the revision matching the current template is `cur` (created when missing, renumbered to the
// newest when an old template came back, e.g. after `kubectl rollout undo ds`); its hash
// label is what the set's pods carry. Old revisions no pod runs are trimmed to
// revisionHistoryLimit.
import { CONTROLLERREVISIONS } from '@keelson/api';
import { isNotFound, type KeelsonClient } from '@keelson/client';
import {
  CONTROLLER_REVISION_HASH_LABEL, createControllerRevision, equalRevision, hashControllerRevision, newControllerRevision, sortControllerRevisions,
  templatePatch, type ControllerRevision,
} from '@keelson/controller-runtime';
import { DAEMONSET_KIND, type DaemonSet, type Pod } from './types';

export interface DaemonSetHistory {
  cur: ControllerRevision;
  old: ControllerRevision[];
  hash: string;
  collisionCount: number;
}

export function snapshot(ds: DaemonSet, revision: number, collisionCount: number): ControllerRevision {
  return newControllerRevision(ds, DAEMONSET_KIND, ds.spec?.template?.metadata?.labels, templatePatch(ds.spec?.template), revision, collisionCount);
}

export async function constructHistory(
  client: Pick<KeelsonClient, 'create' | 'get' | 'update' | 'delete'>, ds: DaemonSet, owned: readonly ControllerRevision[], signal?: AbortSignal,
): Promise<DaemonSetHistory> {
  let collisionCount = ds.status?.collisionCount ?? 0;
  const wanted = snapshot(ds, 0, collisionCount);
  const sorted = sortControllerRevisions(owned);
  const matching = sorted.filter((r) => equalRevision(r, wanted));
  const old = sorted.filter((r) => !equalRevision(r, wanted));
  const next = old.reduce((m, r) => Math.max(m, r.revision), 0) + 1;
  let cur: ControllerRevision;
  if (!matching.length) {
    const data = wanted.data;
    const made = await createControllerRevision(client, ds, { ...wanted, revision: next }, collisionCount, (n) => hashControllerRevision(data, n), signal);
    cur = made.revision;
    collisionCount = made.collisionCount;
  } else {
    // dedupCurHistories: the newest duplicate wins; the others go once no pod runs them.
    cur = matching[matching.length - 1];
    old.push(...matching.slice(0, -1));
    if (cur.revision < next) cur = await client.update(CONTROLLERREVISIONS, { ...cur, revision: next }, { signal });
  }
  return { cur, old, hash: cur.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? cur.metadata.name!.slice(ds.metadata.name!.length + 1), collisionCount };
}

/** cleanupHistory: deletes the oldest revisions no pod runs beyond revisionHistoryLimit. */
export async function cleanupHistory(client: Pick<KeelsonClient, 'delete'>, ds: DaemonSet, old: readonly ControllerRevision[], pods: readonly Pod[], signal?: AbortSignal): Promise<void> {
  const live = new Set(pods.map((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL]));
  const dead = sortControllerRevisions(old).filter((r) => !live.has(r.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL]));
  const excess = dead.length - (ds.spec?.revisionHistoryLimit ?? 10);
  for (const r of dead.slice(0, Math.max(0, excess))) {
    try {
      await client.delete(CONTROLLERREVISIONS, r.metadata.namespace, r.metadata.name!, { preconditions: { uid: r.metadata.uid }, signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
