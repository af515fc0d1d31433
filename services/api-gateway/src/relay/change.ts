// One etcd watch event → the object change the relay publishes. ADDED when the put created the
// key (create_revision == mod_revision), MODIFIED otherwise; DELETED carries the previous value.
import { type KubeObject } from '@keelson/api';
import { parseRegistryKey, withoutManagedFields, type ObjectChange } from '@keelson/bus';
import { decodeObject, type WatchEvent } from '@keelson/storage';
import { withoutSecretData } from './secret-events';

export function toObjectChange(ev: WatchEvent): ObjectChange {
  const key = ev.kv.key.toString();
  const revision = ev.kv.mod_revision;
  if (ev.type === 'Delete') {
    // resourceVersion of a deleted object is the delete's revision, as in a Kubernetes watch.
    const object = ev.prev_kv ? decodeStored(ev.prev_kv.value, revision, key) : stubFor(key, revision);
    return { type: 'DELETED', key, revision, object: withoutSecretData(key, object) };
  }
  const type = ev.kv.create_revision === ev.kv.mod_revision ? 'ADDED' : 'MODIFIED';
  return { type, key, revision, object: withoutSecretData(key, decodeStored(ev.kv.value, revision, key)) };
}

/** Stored objects have no resourceVersion; it is the revision (storage's codec does the same). */
// storage's codec also decrypts what is encrypted at rest (Secrets, KEELSON_ENCRYPTION_CONFIG).
// The bus carries no managedFields (withoutManagedFields in @keelson/bus says why).
function decodeStored(value: Buffer, revision: number, key: string): KubeObject {
  const obj = decodeObject(value, revision, key);
  delete obj.metadata.managedFields; // a fresh decode: ours to change
  return obj;
}

// Without prevKv (never expected: the watch asks for it) consumers still learn the name.
function stubFor(key: string, revision: number): KubeObject {
  const k = parseRegistryKey(key);
  return { apiVersion: '', kind: '', metadata: { name: k?.name ?? key, namespace: k?.namespace, resourceVersion: String(revision) } };
}
