// The informer's store: objects by key (`namespace/name`, or `name` when cluster-scoped)
// with secondary indexes. Controllers read it; only the informer writes it. Objects are
// shared: never mutate one in place (copy, change, write through the API).
import { labelSelectorFromObject, type KubeObject, type LabelSelector, type LabelSelectorObject } from '@keelson/api';

export type IndexFunc<T extends KubeObject> = (obj: T) => string[];

/** Built-in index names. */
export const INDEX = { namespace: 'namespace', ownerUid: 'ownerUid', nodeName: 'spec.nodeName' } as const;

export function keyOf(obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name}` : `${name}`;
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** What a reconcile may do with a cache. */
export interface ReadOnlyCache<T extends KubeObject = KubeObject> {
  get(key: string): T | undefined;
  getByName(namespace: string | undefined, name: string): T | undefined;
  list(): T[];
  keys(): string[];
  size(): number;
  byNamespace(namespace: string): T[];
  /** Dependents: objects with an ownerReference to `uid`. */
  byOwnerUid(uid: string): T[];
  /** Pods bound to `nodeName`. */
  byNodeName(nodeName: string): T[];
  /** Objects whose labels match; `{}` matches all, undefined matches none (metav1 semantics). */
  bySelector(selector: LabelSelector | LabelSelectorObject | undefined, namespace?: string): T[];
  byIndex(index: string, value: string): T[];
}

export class ObjectCache<T extends KubeObject = KubeObject> implements ReadOnlyCache<T> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor() {
    this.addIndexer(INDEX.namespace, (o) => (o.metadata.namespace ? [o.metadata.namespace] : []));
    this.addIndexer(INDEX.ownerUid, (o) => (o.metadata.ownerReferences ?? []).map((r) => r.uid));
    this.addIndexer(INDEX.nodeName, (o) => (typeof o.spec?.nodeName === 'string' && o.spec.nodeName ? [o.spec.nodeName] : []));
  }

  /** Adds a custom index (e.g. by a label value); indexes what is already stored too. */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    this.indexers.set(name, fn);
    const idx = new Map<string, Set<string>>();
    this.indices.set(name, idx);
    for (const [key, obj] of this.items) for (const v of fn(obj)) addTo(idx, v, key);
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  size(): number {
    return this.items.size;
  }

  byNamespace(namespace: string): T[] {
    return this.byIndex(INDEX.namespace, namespace);
  }

  byOwnerUid(uid: string): T[] {
    return this.byIndex(INDEX.ownerUid, uid);
  }

  byNodeName(nodeName: string): T[] {
    return this.byIndex(INDEX.nodeName, nodeName);
  }

  bySelector(selector: LabelSelector | LabelSelectorObject | undefined, namespace?: string): T[] {
    const sel = isLabelSelector(selector) ? selector : labelSelectorFromObject(selector);
    const candidates = namespace ? this.byNamespace(namespace) : this.list();
    return candidates.filter((o) => sel.matches(o.metadata.labels));
  }

  byIndex(index: string, value: string): T[] {
    const idx = this.indices.get(index);
    if (!idx) throw new Error(`no index named ${index}`);
    const keys = idx.get(value);
    return keys ? [...keys].map((k) => this.items.get(k)!) : [];
  }

  /** Stores `obj`, returning the object it replaced. */
  set(obj: T): T | undefined {
    const key = keyOf(obj);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) for (const v of fn(obj)) addTo(this.indices.get(name)!, v, key);
    return old;
  }

  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const idx = this.indices.get(name)!;
      for (const v of fn(obj)) {
        const set = idx.get(v);
        set?.delete(key);
        if (set?.size === 0) idx.delete(v);
      }
    }
  }
}

function addTo(idx: Map<string, Set<string>>, value: string, key: string): void {
  let set = idx.get(value);
  if (!set) idx.set(value, (set = new Set()));
  set.add(key);
}

function isLabelSelector(s: LabelSelector | LabelSelectorObject | undefined): s is LabelSelector {
  return typeof (s as LabelSelector | undefined)?.matches === 'function';
}
