// Objects are stored as JSON without metadata.resourceVersion; reads set it
// from the etcd revision (mod_revision, or the delete's revision).
import type { KubeObject } from '@keelson/api';
import { isRecord } from '@keelson/api';

export function encodeObject(obj: KubeObject): string {
  const { resourceVersion: _dropped, ...metadata } = obj.metadata ?? {};
  return JSON.stringify({ ...obj, metadata });
}

export function decodeObject(value: Buffer | string, revision: number | string, key: string): KubeObject {
  const parsed: unknown = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  if (!isRecord(parsed) || !isRecord(parsed.metadata)) throw new Error(`stored value at ${key} is not a Kubernetes object`);
  const obj = parsed as KubeObject;
  obj.metadata.resourceVersion = String(revision);
  return obj;
}

/** A copy of `obj` carrying `revision` as its resourceVersion. */
export function withRevision(obj: KubeObject, revision: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
}
