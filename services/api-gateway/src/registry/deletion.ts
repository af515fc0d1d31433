// Delete semantics of Kubernetes: preconditions, propagation finalizers, graceful pod
// termination and finalizers all turn a delete into "set deletionTimestamp" first.
import { errors, isRecord, qualifiedResource, strategyFor, type KubeObject, type ResourceInfo, type Status } from '@keelson/api';
import { StorageError } from '@keelson/storage';
import { toApiError } from './errors';
import { deepCopy, nowTimestamp, setTraceparent } from './object-meta';
import type { RequestContext } from './request-context';
import { readyForRemoval, type ResourceStore } from './resource-store';
import { booleanParamOf } from '../handlers/params';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
}

export interface DeleteResult {
  object: KubeObject;
  /** false when the object is only marked for deletion (deletionTimestamp set). */
  deleted: boolean;
}

const PROTECTED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

export function parseDeleteOptions(body: unknown, query: URLSearchParams): DeleteOptions {
  const opts: DeleteOptions = {};
  if (body !== undefined) {
    if (!isRecord(body)) throw errors.badRequest('DeleteOptions must be an object');
    if (body.gracePeriodSeconds !== undefined && body.gracePeriodSeconds !== null) opts.gracePeriodSeconds = Number(body.gracePeriodSeconds);
    if (isRecord(body.preconditions)) opts.preconditions = body.preconditions as DeleteOptions['preconditions'];
    if (typeof body.propagationPolicy === 'string') opts.propagationPolicy = body.propagationPolicy as DeleteOptions['propagationPolicy'];
    if (typeof body.orphanDependents === 'boolean') opts.orphanDependents = body.orphanDependents;
  }
  const grace = query.get('gracePeriodSeconds');
  if (grace !== null) opts.gracePeriodSeconds = Number(grace);
  const policy = query.get('propagationPolicy');
  if (policy) opts.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  const orphan = booleanParamOf(query, 'orphanDependents');
  if (orphan !== undefined) opts.orphanDependents = orphan;
  if (opts.gracePeriodSeconds !== undefined && (!Number.isInteger(opts.gracePeriodSeconds) || opts.gracePeriodSeconds < 0)) {
    throw errors.invalid('DeleteOptions', '', [{ reason: 'FieldValueInvalid', field: 'gracePeriodSeconds', message: 'must be a non-negative integer' }]);
  }
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw errors.invalid('DeleteOptions', '', [
      { reason: 'FieldValueNotSupported', field: 'propagationPolicy', message: `Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"` },
    ]);
  }
  return opts;
}

/**
 * Built-in kinds whose immediate delete answers with the removed object rather than a Status:
 * kube's registries with `ReturnDeletedObject: true`. A strategy's `returnDeletedObject`, when
 * set, wins (kinds registered at run time).
 */
const RETURNS_DELETED_OBJECT = new Set([
  '/pods',
  '/namespaces',
  '/serviceaccounts',
  '/services',
  '/persistentvolumes',
  '/persistentvolumeclaims',
  'storage.k8s.io/storageclasses',
]);

function returnsDeletedObject(info: ResourceInfo): boolean {
  return strategyFor(info)?.returnDeletedObject ?? RETURNS_DELETED_OBJECT.has(`${info.group}/${info.resource}`);
}

/**
 * The body and code of a DELETE's answer, as kube-apiserver's generic store and delete
 * handler give them: an object removed at once is a `Status` naming it (details.kind is the
 * resource, as kube sets it) unless the kind returns the deleted object; an object only marked
 * for deletion (finalizers, graceful pods, namespaces) comes back as it now is. The code is 200
 * except 202 when the deprecated `orphanDependents=false` asked for a cascade still pending.
 */
export function deleteResponse(info: ResourceInfo, result: DeleteResult, opts: DeleteOptions): { code: number; body: KubeObject | Omit<Status, 'code'> } {
  const code = !result.deleted && opts.orphanDependents === false ? 202 : 200;
  if (!result.deleted || returnsDeletedObject(info)) return { code, body: result.object };
  const meta = result.object.metadata;
  // Code 0 as kube leaves it (omitted); the HTTP status says 200.
  const status: Omit<Status, 'code'> = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: meta.name, ...(info.group ? { group: info.group } : {}), kind: info.resource, uid: meta.uid },
  };
  return { code, body: status };
}

function podGrace(obj: KubeObject, requested: number | undefined): number {
  const phase = (obj.status as { phase?: string } | undefined)?.phase;
  if (!obj.spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  return requested ?? (obj.spec?.terminationGracePeriodSeconds as number | undefined) ?? 30;
}

export async function deleteObject(rs: ResourceStore, namespace: string | undefined, name: string, opts: DeleteOptions, ctx: RequestContext): Promise<DeleteResult> {
  const qr = qualifiedResource(rs.info);
  const isPod = rs.info.group === '' && rs.info.resource === 'pods';
  const isNamespace = rs.info.group === '' && rs.info.resource === 'namespaces';
  if (isNamespace && PROTECTED_NAMESPACES.has(name)) throw errors.forbidden(`namespaces "${name}" is forbidden: this namespace may not be deleted`, 'namespaces', name);
  for (let attempt = 0; ; attempt++) {
    const current = await rs.get(namespace, name);
    const refusal = strategyFor(rs.info)?.refuseDelete?.(current);
    if (refusal) throw errors.forbidden(`${qr} "${name}" is forbidden: ${refusal}`, qr, name);
    const pre = opts.preconditions ?? {};
    if (pre.uid && pre.uid !== current.metadata.uid) {
      throw errors.conflict(qr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
    }
    if (pre.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw errors.conflict(qr, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
    }
    const next = deepCopy(current);
    const finalizers = new Set(next.metadata.finalizers ?? []);
    // Neither orphanDependents nor a propagation policy: the kind's default decides.
    const orphanByDefault = opts.propagationPolicy === undefined && opts.orphanDependents === undefined && strategyFor(rs.info)?.defaultGarbageCollectionPolicy === 'OrphanDependents';
    if (opts.propagationPolicy === 'Orphan' || opts.orphanDependents === true || orphanByDefault) finalizers.add('orphan');
    if (opts.propagationPolicy === 'Foreground') finalizers.add('foregroundDeletion');
    const grace = isPod ? podGrace(current, opts.gracePeriodSeconds) : 0;
    const alreadyTerminating = !!current.metadata.deletionTimestamp;

    if (alreadyTerminating) {
      // A shorter grace period (the kubelet confirming with 0) may finish the deletion.
      const existing = current.metadata.deletionGracePeriodSeconds ?? 0;
      if (!isPod || grace >= existing) return { object: current, deleted: false };
      next.metadata.deletionGracePeriodSeconds = grace;
      next.metadata.deletionTimestamp = nowTimestamp(Date.now() + grace * 1000);
    } else {
      next.metadata.deletionTimestamp = nowTimestamp(Date.now() + grace * 1000);
      next.metadata.deletionGracePeriodSeconds = grace;
      if (isNamespace) next.status = { ...(next.status ?? {}), phase: 'Terminating' };
    }
    if (finalizers.size > 0) next.metadata.finalizers = [...finalizers];
    if (ctx.dryRun) return { object: next, deleted: readyForRemoval(rs.info, next) };
    const key = rs.key(namespace, name);
    try {
      if (readyForRemoval(rs.info, next)) {
        const last = await rs.store.delete(key, { uid: current.metadata.uid, resourceVersion: current.metadata.resourceVersion });
        return { object: last, deleted: true };
      }
      setTraceparent(next, ctx.traceparent);
      const written = await rs.store.update(key, next, Number(current.metadata.resourceVersion));
      return { object: written, deleted: false };
    } catch (e) {
      // Someone wrote in between: re-read and decide again (preconditions still apply).
      if (e instanceof StorageError && e.code === 'Conflict' && attempt < 5) continue;
      throw toApiError(e, rs.info, name);
    }
  }
}

