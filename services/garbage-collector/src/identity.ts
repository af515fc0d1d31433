// Object identities as the garbage collector sees them: an ownerReference's coordinates
// (apiVersion, kind, name, uid) plus the namespace the object lives in (kube's
// objectReference), and the mapping from apiVersion/kind to a served resource.
import type { KubeObject, OwnerReference, ResourceInfo } from '@keelson/api';

export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  /** '' for cluster-scoped objects (and for virtual owners we only guess the namespace of). */
  namespace: string;
}

export function identityOf(obj: KubeObject): ObjectIdentity {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata.name ?? '',
    uid: obj.metadata.uid ?? '',
    namespace: obj.metadata.namespace ?? '',
  };
}

/** The identity an ownerReference points at, read from a dependent in `namespace`. */
export function identityOfRef(ref: OwnerReference, namespace: string): ObjectIdentity {
  return { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, namespace };
}

/** Stable text form, for the absent-owner cache and logs. */
export function identityKey(id: ObjectIdentity): string {
  return `${id.apiVersion}/${id.kind}/${id.namespace}/${id.name}/${id.uid}`;
}

export function sameIdentity(a: ObjectIdentity, b: ObjectIdentity): boolean {
  return identityKey(a) === identityKey(b);
}

/** Does the reference name the same object coordinates (ignoring the namespace)? */
export function refMatches(ref: OwnerReference, id: ObjectIdentity): boolean {
  return ref.uid === id.uid && ref.name === id.name && ref.kind === id.kind && groupOf(ref.apiVersion) === groupOf(id.apiVersion);
}

/** Kubernetes' wording for a reference in events: `[v1/ConfigMap, namespace: ns, name: n, uid: u]`. */
export function describeIdentity(id: ObjectIdentity): string {
  return `[${id.apiVersion}/${id.kind}, namespace: ${id.namespace}, name: ${id.name}, uid: ${id.uid}]`;
}

export function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** Thrown when an ownerReference names a kind this cluster does not serve. */
export class UnknownKindError extends Error {
  constructor(readonly apiVersion: string, readonly kind: string) {
    super(`no resource serves ${apiVersion}, Kind=${kind}`);
    this.name = 'UnknownKindError';
  }
}

/** Resolves apiVersion/kind to a served resource (any served version of the group). */
export class KindResolver {
  private readonly byGroupKind = new Map<string, ResourceInfo>();

  constructor(resources: readonly ResourceInfo[]) {
    for (const r of resources) this.byGroupKind.set(`${r.group}/${r.kind}`, r);
  }

  resolve(apiVersion: string, kind: string): ResourceInfo {
    const r = this.byGroupKind.get(`${groupOf(apiVersion)}/${kind}`);
    if (!r) throw new UnknownKindError(apiVersion, kind);
    return r;
  }

  /** undefined when the kind is unknown. */
  isNamespaced(apiVersion: string, kind: string): boolean | undefined {
    return this.byGroupKind.get(`${groupOf(apiVersion)}/${kind}`)?.namespaced;
  }
}
