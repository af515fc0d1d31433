// The scale and binding subresources: views onto a parent object's fields.
import { customResourceScale, errors, isRecord, labelSelectorFromObject, qualifiedResource, scaleOf, strategyFor, writePath, type KubeObject, type ResourceInfo } from '@keelson/api';
import { nowTimestamp } from './object-meta';
import type { RequestContext } from './request-context';
import type { ResourceStore } from './resource-store';

/** autoscaling/v1 Scale of a Deployment or ReplicaSet, or of a custom resource at its CRD's paths. */
export function toScale(obj: KubeObject, info?: ResourceInfo): KubeObject {
  const paths = info && strategyFor(info)?.scale;
  if (paths) return customResourceScale(obj, paths);
  // A ReplicationController's selector is a plain label map, the others' a LabelSelector.
  const raw = obj.spec?.selector;
  const selector = (obj.kind === 'ReplicationController' ? { matchLabels: raw } : raw) as Parameters<typeof labelSelectorFromObject>[0];
  return scaleOf(obj, (obj.spec?.replicas as number | undefined) ?? 0, (obj.status?.replicas as number | undefined) ?? 0, labelSelectorFromObject(selector).toString());
}

/** Writes a desired Scale back into its parent; `computeScale` derives it from the current parent. */
export async function updateScale(
  rs: ResourceStore,
  namespace: string | undefined,
  name: string,
  computeScale: (current: KubeObject) => unknown,
  ctx: RequestContext,
): Promise<KubeObject> {
  const written = await rs.update(
    namespace,
    name,
    (current) => {
      const scale = computeScale(toScale(current, rs.info));
      if (!isRecord(scale) || scale.kind !== 'Scale') throw errors.badRequest('the body must be an autoscaling/v1 Scale');
      const meta = isRecord(scale.metadata) ? scale.metadata : {};
      if (meta.resourceVersion && meta.resourceVersion !== current.metadata.resourceVersion) {
        throw errors.conflict(qualifiedResource(rs.info), name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      const replicas = isRecord(scale.spec) ? scale.spec.replicas : undefined;
      if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)) {
        throw errors.invalid('Scale', name, [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }], 'autoscaling');
      }
      const paths = strategyFor(rs.info)?.scale;
      if (paths) {
        writePath(current, paths.specReplicasPath, replicas ?? 0);
        return current;
      }
      return { ...current, spec: { ...(current.spec ?? {}), replicas: replicas ?? 0 } };
    },
    ctx,
  );
  return toScale(written, rs.info);
}

/** pods/binding: assigns a pod to a node once (the scheduler's write). */
export async function bindPod(rs: ResourceStore, namespace: string | undefined, name: string, body: unknown, ctx: RequestContext): Promise<void> {
  if (!isRecord(body) || body.kind !== 'Binding') throw errors.badRequest('the body must be a v1 Binding');
  const target = isRecord(body.target) ? body.target : undefined;
  const nodeName = target?.name;
  if (typeof nodeName !== 'string' || nodeName === '') {
    throw errors.invalid('Binding', name, [{ reason: 'FieldValueRequired', field: 'target.name', message: 'Required value' }]);
  }
  await rs.update(
    namespace,
    name,
    (pod) => {
      if (pod.metadata.deletionTimestamp) throw errors.conflict('pods', name, 'pod is being deleted, cannot be assigned to a host');
      if (pod.spec?.nodeName) throw errors.conflict('pods', name, `pod ${name} is already assigned to node "${String(pod.spec.nodeName)}"`);
      const status = { ...(pod.status ?? {}) };
      const conditions = ((status.conditions as Record<string, unknown>[] | undefined) ?? []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowTimestamp() });
      status.conditions = conditions;
      return { ...pod, spec: { ...(pod.spec ?? {}), nodeName }, status };
    },
    { ...ctx },
    { subresource: 'binding' },
  );
}

/**
 * namespaces/finalize: the namespace controller removes its `spec.finalizers` entry once the
 * namespace is empty; with none left a terminating namespace is removed.
 */
export async function finalizeNamespace(rs: ResourceStore, name: string, body: unknown, ctx: RequestContext): Promise<KubeObject> {
  if (!isRecord(body) || body.kind !== 'Namespace') throw errors.badRequest('the body must be a v1 Namespace');
  const spec = isRecord(body.spec) ? body.spec : {};
  const finalizers = spec.finalizers ?? [];
  if (!Array.isArray(finalizers) || !finalizers.every((f) => typeof f === 'string')) {
    throw errors.invalid('Namespace', name, [{ reason: 'FieldValueInvalid', field: 'spec.finalizers', message: 'must be a list of strings' }]);
  }
  const meta = isRecord(body.metadata) ? body.metadata : {};
  return rs.update(
    undefined,
    name,
    (ns) => {
      if (meta.resourceVersion && meta.resourceVersion !== ns.metadata.resourceVersion) {
        throw errors.conflict('namespaces', name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      return { ...ns, spec: { ...(ns.spec ?? {}), finalizers } };
    },
    ctx,
    { subresource: 'finalize' },
  );
}
