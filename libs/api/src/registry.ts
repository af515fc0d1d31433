// The group/version/resource registry: what the API serves and how each resource
// is scoped, named and addressed. Mirrors what kube-apiserver advertises.

import { BUILTIN_KINDS } from './kinds';
import { ensureBuiltinKinds } from './strategy';

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

export interface SubresourceInfo {
  /** `status`, `scale`, `binding` */
  name: string;
  kind: string;
  group: string;
  version: string;
  verbs: Verb[];
}

export interface ResourceInfo {
  group: string; // '' for core
  version: string;
  /** plural lower-case name: `pods` */
  resource: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: Verb[];
  subresources: SubresourceInfo[];
  /** OpenAPI component name of the kind's schema, e.g. `io.k8s.api.core.v1.Pod` */
  schemaRef: string;
}

/**
 * Every built-in resource, in the order discovery advertises them (and `kubectl api-resources`
 * lists them): the order of BUILTIN_KINDS, one strategy file per kind under `kinds/`.
 */
export const BUILTIN_RESOURCES: ResourceInfo[] = BUILTIN_KINDS.map((k) => k.info);

export function groupVersion(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** `pods` or `deployments.apps`: the name Kubernetes uses in error messages. */
export function qualifiedResource(r: ResourceInfo): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}

ensureBuiltinKinds();

export class ResourceRegistry {
  private readonly byKey = new Map<string, ResourceInfo>();

  constructor(resources: ResourceInfo[] = BUILTIN_RESOURCES) {
    for (const r of resources) this.add(r);
  }

  add(r: ResourceInfo): void {
    this.byKey.set(`${r.group}/${r.version}/${r.resource}`, r);
  }

  remove(group: string, version: string, resource: string): ResourceInfo | undefined {
    const k = `${group}/${version}/${resource}`;
    const r = this.byKey.get(k);
    this.byKey.delete(k);
    return r;
  }

  lookup(group: string, version: string, resource: string): ResourceInfo | undefined {
    return this.byKey.get(`${group}/${version}/${resource}`);
  }

  byKind(group: string, kind: string): ResourceInfo | undefined {
    for (const r of this.byKey.values()) if (r.group === group && r.kind === kind) return r;
    return undefined;
  }

  all(): ResourceInfo[] {
    return [...this.byKey.values()];
  }

  /** Group versions in the order they are advertised, core first. */
  groupVersions(): { group: string; version: string }[] {
    const seen = new Map<string, { group: string; version: string }>();
    for (const r of this.byKey.values()) seen.set(groupVersion(r), { group: r.group, version: r.version });
    return [...seen.values()];
  }
}
