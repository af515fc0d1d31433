// Finding or creating the Deployment's new ReplicaSet (sync.go getNewReplicaSet): the RS
// for the current template is named `<deployment>-<pod-template-hash>`; a name taken by a
// different template is a hash collision, resolved by bumping status.collisionCount (which
// changes the hash) and trying again on the next reconcile.
import { ApiError, getControllerOf, newControllerRef } from '@keelson/api';
import { isAlreadyExists, isForbidden } from '@keelson/client';
import { CONDITION, REASON, getCondition, newCondition, setCondition } from './conditions';
import { computeHash } from './pod-template-hash';
import { hasProgressDeadline } from './progress';
import { equalIgnoreHash, findNewReplicaSet, findOldReplicaSets, maxRevision, revisionOf } from './replica-sets';
import { setDeploymentRevision, setNewReplicaSetAnnotations } from './revision';
import { maxSurge } from './rollout-bounds';
import { newRSNewReplicas } from './rolling-update';
import { copy, writeStatus, type SyncContext } from './sync-context';
import { DEPLOYMENT_KIND, POD_TEMPLATE_HASH_LABEL, REVISION_ANNOTATION, type Deployment, type ReplicaSet } from './types';

/** Thrown after a hash collision was recorded; the reconcile retries with the new hash. */
export class HashCollisionError extends Error {}

export interface ReplicaSets {
  newRS?: ReplicaSet;
  oldRSs: ReplicaSet[];
}

/** The new and old ReplicaSets; brings the revision annotations up to date, creating the new RS if asked. */
export async function getAllReplicaSetsAndSyncRevision(ctx: SyncContext, cached: ReplicaSet[], createIfNotExisted: boolean): Promise<ReplicaSets> {
  const rsList = cached.map((rs) => ctx.io.latest(rs));
  const oldRSs = findOldReplicaSets(ctx.d, rsList);
  const newRS = await getNewReplicaSet(ctx, rsList, oldRSs, createIfNotExisted);
  return { newRS, oldRSs };
}

async function getNewReplicaSet(ctx: SyncContext, rsList: ReplicaSet[], oldRSs: ReplicaSet[], createIfNotExisted: boolean): Promise<ReplicaSet | undefined> {
  const existing = findNewReplicaSet(ctx.d, rsList);
  const newRevision = maxRevision(oldRSs) + 1;
  if (existing) return syncExistingNewRS(ctx, existing, newRevision);
  if (!createIfNotExisted) return undefined;

  const d = ctx.d;
  const hash = computeHash(d.spec.template, d.status?.collisionCount);
  const labels = { ...(d.spec.template?.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const template = { ...copy(d.spec.template ?? {}), metadata: { ...copy(d.spec.template?.metadata ?? {}), labels } };
  const selector = copy(d.spec.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name: `${d.metadata.name}-${hash}`, namespace: d.metadata.namespace, ownerReferences: [newControllerRef(d, DEPLOYMENT_KIND)], labels: { ...labels } },
    spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
  };
  rs.spec.replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
  setNewReplicaSetAnnotations(d, rs, newRevision, false, maxSurge(d));

  let created: ReplicaSet;
  let alreadyExists = false;
  try {
    created = await ctx.io.createReplicaSet(rs);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (isAlreadyExists(err)) {
      // Ours already (a cache that has not seen our create yet), or a collision.
      const found = await ctx.io.getReplicaSet(d.metadata.namespace!, rs.metadata.name!);
      const ref = found && getControllerOf(found);
      if (!found || ref?.uid !== d.metadata.uid || !equalIgnoreHash(d.spec.template, found.spec.template)) {
        await writeStatus(ctx, { ...d, status: { ...d.status, collisionCount: (d.status?.collisionCount ?? 0) + 1 } });
        throw new HashCollisionError(`replica set ${rs.metadata.name} exists with another template; collisionCount is now ${ctx.d.status?.collisionCount}`);
      }
      created = found;
      alreadyExists = true;
    } else {
      const msg = `Failed to create new replica set "${rs.metadata.name}": ${err.message}`;
      if (hasProgressDeadline(d) && !isForbidden(err)) {
        const next = copy(d);
        setCondition((next.status ??= {}), newCondition(CONDITION.progressing, 'False', REASON.failedRSCreate, msg, ctx.now()));
        await writeStatus(ctx, next);
      }
      ctx.io.event(d, 'Warning', 'FailedCreate', msg);
      throw err;
    }
  }
  if (!alreadyExists && (created.spec.replicas ?? 0) > 0) {
    ctx.io.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${created.spec.replicas}`);
  }
  const next = copy(ctx.d);
  let needsUpdate = setDeploymentRevision(next, String(newRevision));
  if (!alreadyExists && hasProgressDeadline(next)) {
    setCondition((next.status ??= {}), newCondition(CONDITION.progressing, 'True', REASON.newRSCreated, `Created new replica set "${created.metadata.name}"`, ctx.now()));
    needsUpdate = true;
  }
  if (needsUpdate) await writeStatus(ctx, next);
  return created;
}

/** Keeps the existing new RS's revision, annotations and minReadySeconds current, and the Deployment's revision. */
async function syncExistingNewRS(ctx: SyncContext, existing: ReplicaSet, newRevision: number): Promise<ReplicaSet> {
  let rs = existing;
  const next = copy(existing);
  const annotationsUpdated = setNewReplicaSetAnnotations(ctx.d, next, newRevision, true, maxSurge(ctx.d));
  const minReadyChanged = (next.spec.minReadySeconds ?? 0) !== (ctx.d.spec.minReadySeconds ?? 0);
  if (annotationsUpdated || minReadyChanged) {
    next.spec.minReadySeconds = ctx.d.spec.minReadySeconds ?? 0;
    rs = await ctx.io.updateReplicaSet(next);
  }
  const d = copy(ctx.d);
  let needsUpdate = setDeploymentRevision(d, rs.metadata.annotations?.[REVISION_ANNOTATION] ?? String(revisionOf(rs)));
  if (hasProgressDeadline(d) && !getCondition(d.status, CONDITION.progressing)) {
    setCondition((d.status ??= {}), newCondition(CONDITION.progressing, 'True', REASON.foundNewRS, `Found new replica set "${rs.metadata.name}"`, ctx.now()));
    needsUpdate = true;
  }
  if (needsUpdate) await writeStatus(ctx, d);
  return rs;
}
