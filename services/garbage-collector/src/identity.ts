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

/** What the collector needs to address a kind: its resource and scope. */
export type KindTarget = Pick<ResourceInfo, 'group' | 'version' | 'resource' | 'kind' | 'namespaced'>;

/**
 * Resolves apiVersion/kind to a served resource (any served version of the group; the first
 * given wins, so callers list the versions to use first). Discovery replaces the set when the
 * API starts or stops serving a resource (CRDs).
 */
export class KindResolver {
  private byGroupKind = new Map<string, KindTarget>();

  constructor(resources: readonly KindTarget[]) {
    this.replace(resources);
  }

  replace(resources: readonly KindTarget[]): void {
    const next = new Map<string, KindTarget>();
    for (const r of resources) {
      const k = `${r.group}/${r.kind}`;
      if (!next.has(k)) next.set(k, r);
    }
    this.byGroupKind = next;
  }

  resolve(apiVersion: string, kind: string): KindTarget {
    const r = this.byGroupKind.get(`${groupOf(apiVersion)}/${kind}`);
    if (!r) throw new UnknownKindError(apiVersion, kind);
    return r;
  }

  /** undefined when the kind is unknown. */
  isNamespaced(apiVersion: string, kind: string): boolean | undefined {
    return this.byGroupKind.get(`${groupOf(apiVersion)}/${kind}`)?.namespaced;
  }
}
