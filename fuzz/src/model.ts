// The fuzzer's model of what it stored: for every etcd key it may have written, the
// resourceVersion (etcd mod_revision) of the last write the gateway accepted, or null when the
// object should not exist. At the end it is compared with a raw etcd range: a key that differs
// is a write the gateway refused (or ran as a dry run) but stored anyway, or lost.
import type { Etcd3 } from 'etcd3';
import type { FuzzResource } from './resources';

export const keyOf = (r: Pick<FuzzResource, 'group' | 'resource'>, namespace: string, name: string): string => `/registry/${r.group || 'core'}/${r.resource}/${namespace}/${name}`;

export interface StoredChange {
  key: string;
  expected: string | null;
  stored: string | null;
}

export interface Snapshot {
  revision: number;
  /** key → mod_revision, and the value (to tell an allocation owned by a fuzz object). */
  keys: Map<string, { modRevision: string; value: string }>;
}

export async function snapshot(etcd: Etcd3): Promise<Snapshot> {
  const res = await etcd.getAll().prefix('/registry/').exec();
  const keys = new Map<string, { modRevision: string; value: string }>();
  for (const kv of res.kvs) keys.set(kv.key.toString(), { modRevision: String(kv.mod_revision), value: kv.value.toString('utf8') });
  return { revision: Number(res.header.revision), keys };
}

export class StoredModel {
  private readonly expected = new Map<string, string | null>();

  constructor(private readonly prefix: string, private readonly resources: readonly Pick<FuzzResource, 'group' | 'resource'>[]) {}

  set(key: string, resourceVersion: string | null): void {
    this.expected.set(key, resourceVersion);
  }

  get(key: string): string | null | undefined {
    return this.expected.get(key);
  }

  /** Keys of one resource and namespace the model knows (for a resync after a collection write). */
  keysUnder(keyPrefix: string): string[] {
    return [...this.expected.keys()].filter((k) => k.startsWith(keyPrefix));
  }

  /**
   * A key the fuzzer may have written: an object of a fuzzed resource in its namespace, or named
   * with its prefix. Other objects in its namespace (its `default` ServiceAccount, the
   * kube-root-ca.crt ConfigMap) are the control plane's, judged like every other key.
   */
  isFuzzKey(key: string): boolean {
    const segments = key.split('/');
    const name = segments[segments.length - 1];
    const namespace = segments.length >= 6 ? segments[segments.length - 2] : undefined;
    if (name.startsWith(this.prefix)) return true;
    return namespace === this.prefix && name !== 'kube-root-ca.crt' && this.resources.some((r) => key.startsWith(keyOf(r, this.prefix, '')));
  }

  /**
   * Differences between the model and etcd now. `before` is the snapshot taken when fuzzing
   * began: keys outside the fuzzer's that changed since are differences too, unless their value
   * names a fuzz object (the ClusterIP and port allocations of a fuzzed Service).
   */
  compare(before: Snapshot, after: Snapshot): StoredChange[] {
    const changes: StoredChange[] = [];
    const all = new Set([...before.keys.keys(), ...after.keys.keys(), ...this.expected.keys()]);
    for (const key of [...all].sort()) {
      const now = after.keys.get(key);
      if (this.isFuzzKey(key)) {
        const want = this.expected.has(key) ? this.expected.get(key)! : null;
        const stored = now?.modRevision ?? null;
        if (want !== stored) changes.push({ key, expected: want, stored });
        continue;
      }
      const then = before.keys.get(key);
      if (then?.modRevision === now?.modRevision) continue;
      if ((now?.value ?? then?.value ?? '').includes(this.prefix)) continue;
      changes.push({ key, expected: then?.modRevision ?? null, stored: now?.modRevision ?? null });
    }
    return changes;
  }
}
