// One etcd watch event → the object change the relay publishes. ADDED when the put created the
// key (create_revision == mod_revision), MODIFIED otherwise; DELETED carries the previous value.
import type { IEvent } from 'etcd3';
import { isRecord, type KubeObject } from '@keelson/api';
import { parseRegistryKey, type ObjectChange } from '@keelson/bus';

export function toObjectChange(ev: Pick<IEvent, 'type' | 'kv' | 'prev_kv'>): ObjectChange {
  const key = ev.kv.key.toString();
  const revision = Number(ev.kv.mod_revision);
  if (ev.type === 'Delete') {
    // resourceVersion of a deleted object is the delete's revision, as in a Kubernetes watch.
    const object = ev.prev_kv ? decodeStored(ev.prev_kv.value, revision, key) : stubFor(key, revision);
    return { type: 'DELETED', key, revision, object };
  }
  const type = ev.kv.create_revision === ev.kv.mod_revision ? 'ADDED' : 'MODIFIED';
  return { type, key, revision, object: decodeStored(ev.kv.value, revision, key) };
}

/** Stored objects have no resourceVersion; it is the revision (storage's codec does the same). */
function decodeStored(value: Buffer, revision: number, key: string): KubeObject {
  const parsed: unknown = JSON.parse(value.toString('utf8'));
  if (!isRecord(parsed) || !isRecord(parsed.metadata)) throw new Error(`stored value at ${key} is not a Kubernetes object`);
  const obj = parsed as KubeObject;
  obj.metadata.resourceVersion = String(revision);
  return obj;
}

// Without prevKv (never expected: the watch asks for it) consumers still learn the name.
function stubFor(key: string, revision: number): KubeObject {
  const k = parseRegistryKey(key);
  return { apiVersion: '', kind: '', metadata: { name: k?.name ?? key, namespace: k?.namespace, resourceVersion: String(revision) } };
}
