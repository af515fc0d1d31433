// The scale and binding subresources: views onto a parent object's fields.
import { causes, customResourceScale, errors, isRecord, labelSelectorFromObject, qualifiedResource, scaleOf, strategyFor, writePath, type KubeObject, type ResourceInfo, type StatusCause } from '@keelson/api';
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

/**
 * pods/binding: assigns a pod to a node once (the scheduler's write), as kube's BindingREST:
 * ValidatePodBinding on the Binding, its uid and resourceVersion as preconditions on the pod, its
 * annotations merged into the pod's, and a pod that is terminating, already bound or still gated
 * refused as a Conflict on pods/binding.
 */
export async function bindPod(rs: ResourceStore, namespace: string | undefined, name: string, body: unknown, ctx: RequestContext): Promise<void> {
  // Without kind and apiVersion it is read as the URL's Binding (the Python client sends neither when unset).
  if (!isRecord(body) || (body.kind !== undefined && body.kind !== 'Binding')) throw errors.badRequest('the body must be a v1 Binding');
  const target = isRecord(body.target) ? body.target : {};
  const meta = isRecord(body.metadata) ? body.metadata : {};
  const invalid: StatusCause[] = [];
  if (target.kind !== undefined && target.kind !== '' && target.kind !== 'Node') invalid.push(causes.notSupported('target.kind', target.kind, ['Node', '<empty>']));
  const nodeName = target.name;
  if (typeof nodeName !== 'string' || nodeName === '') invalid.push(causes.required('target.name'));
  if (invalid.length > 0) throw errors.invalid('Binding', name, invalid);
  const annotations = meta.annotations ?? {};
  if (!isRecord(annotations) || Object.values(annotations).some((v) => typeof v !== 'string')) {
    throw errors.badRequest('metadata.annotations of a Binding must map strings to strings');
  }
  const uid = typeof meta.uid === 'string' ? meta.uid : '';
  const resourceVersion = typeof meta.resourceVersion === 'string' ? meta.resourceVersion : '';
  await rs.update(
    namespace,
    name,
    (pod) => {
      if (uid && uid !== pod.metadata.uid) {
        throw errors.conflict('pods', name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata.uid ?? ''}`);
      }
      if (resourceVersion && resourceVersion !== pod.metadata.resourceVersion) {
        throw errors.conflict('pods', name, `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${pod.metadata.resourceVersion ?? ''}`);
      }
      const refuse = (why: string) => errors.conflict('pods/binding', name, why);
      if (pod.metadata.deletionTimestamp) throw refuse(`pod ${name} is being deleted, cannot be assigned to a host`);
      if (pod.spec?.nodeName) throw refuse(`pod ${name} is already assigned to node "${String(pod.spec.nodeName)}"`);
      if (((pod.spec?.schedulingGates as unknown[] | undefined) ?? []).length > 0) throw refuse(`pod ${name} has non-empty .spec.schedulingGates`);
      const status = { ...(pod.status ?? {}) };
      const conditions = ((status.conditions as Record<string, unknown>[] | undefined) ?? []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowTimestamp() });
      status.conditions = conditions;
      const metadata = Object.keys(annotations).length > 0 ? { ...pod.metadata, annotations: { ...(pod.metadata.annotations ?? {}), ...(annotations as Record<string, string>) } } : pod.metadata;
      return { ...pod, metadata, spec: { ...(pod.spec ?? {}), nodeName: nodeName as string }, status };
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
