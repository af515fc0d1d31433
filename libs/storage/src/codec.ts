// Objects are stored as JSON without metadata.resourceVersion; reads set it
// from the etcd revision (mod_revision, or the delete's revision).
import type { KubeObject } from '@keelson/api';
import { isRecord } from '@keelson/api';
import { transformerFor } from './encryption';

/** The stored bytes; with `key`, encrypted when its resource is (encryption.ts). */
export function encodeObject(obj: KubeObject, key?: string): string | Buffer {
  const { resourceVersion: _dropped, ...metadata } = obj.metadata ?? {};
  const json = JSON.stringify({ ...obj, metadata });
  const t = key === undefined ? undefined : transformerFor(key);
  return t ? t.toStorage(Buffer.from(json)) : json;
}

/** Whether a stored value should be rewritten: its resource is encrypted, but not as writes are now. */
export function storedValueIsStale(value: Buffer, key: string): boolean {
  const t = transformerFor(key);
  return t ? t.fromStorage(value).stale : false;
}

export function decodeObject(value: Buffer | string, revision: number | string, key: string): KubeObject {
  const t = transformerFor(key);
  const plain = t ? t.fromStorage(Buffer.isBuffer(value) ? value : Buffer.from(value)).data : value;
  const parsed: unknown = JSON.parse(typeof plain === 'string' ? plain : plain.toString('utf8'));
  if (!isRecord(parsed) || !isRecord(parsed.metadata)) throw new Error(`stored value at ${key} is not a Kubernetes object`);
  const obj = parsed as KubeObject;
  obj.metadata.resourceVersion = String(revision);
  return obj;
}

/** A copy of `obj` carrying `revision` as its resourceVersion. */
export function withRevision(obj: KubeObject, revision: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
}
