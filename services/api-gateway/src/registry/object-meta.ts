// System-owned metadata: what the server sets on create and carries over on update.
import { randomInt, randomUUID } from 'node:crypto';
import { copyJson, jsonDeepEqual, type KubeObject, metaTime, type ObjectMeta, TRACEPARENT_ANNOTATION } from '@keelson/api';

/** metav1.Time (RFC 3339, whole seconds) of `at`, default now: libs/api's metaTime, the one formatter. */
export const nowTimestamp = (at = Date.now()): string => metaTime(at);

// apimachinery's SimpleNameGenerator: 5 characters from an alphabet without vowels or look-alikes.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_GENERATED_PREFIX = 63 - 5;

export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return prefix.slice(0, MAX_GENERATED_PREFIX) + suffix;
}

/** Fills uid and creationTimestamp, clearing what a client may not set on create. */
export function fillSystemFieldsForCreate(meta: ObjectMeta): void {
  meta.uid = randomUUID();
  meta.creationTimestamp = nowTimestamp();
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
}

/** Carries the server-owned fields of the stored object over to an incoming update. */
export function keepSystemFields(next: ObjectMeta, current: ObjectMeta): void {
  next.uid = current.uid;
  next.creationTimestamp = current.creationTimestamp;
  next.name = current.name;
  if (current.namespace !== undefined) next.namespace = current.namespace;
  if (current.deletionTimestamp !== undefined) next.deletionTimestamp = current.deletionTimestamp;
  else delete next.deletionTimestamp;
  if (current.deletionGracePeriodSeconds !== undefined) next.deletionGracePeriodSeconds = current.deletionGracePeriodSeconds;
  else delete next.deletionGracePeriodSeconds;
  if (current.generation !== undefined && next.generation === undefined) next.generation = current.generation;
  delete next.generateName;
  if (current.generateName !== undefined) next.generateName = current.generateName;
}

export function setTraceparent(obj: KubeObject, traceparent: string | undefined): void {
  if (!traceparent) return;
  obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [TRACEPARENT_ANNOTATION]: traceparent };
}

/** True when two versions of an object differ only in resourceVersion and the trace annotation. */
export function sameIgnoringBookkeeping(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): KubeObject => {
    const annotations = { ...(o.metadata.annotations ?? {}) };
    delete annotations[TRACEPARENT_ANNOTATION];
    const metadata: ObjectMeta = { ...o.metadata, annotations, resourceVersion: undefined };
    if (Object.keys(annotations).length === 0) delete metadata.annotations;
    return { ...o, metadata };
  };
  return jsonDeepEqual(strip(a), strip(b));
}

export function deepCopy<T>(v: T): T {
  return copyJson(v);
}
