// One JSON encoding per object revision, shared by every watcher it goes to (issue 14): the
// watch cache hands the same object to all of them, so its JSON is computed once and each
// watcher only frames it as `{"type":…,"object":…}`. The bytes equal JSON.stringify of the
// whole event. Entries live as long as the cache holds the object (a WeakMap).
import type { KubeObject } from '@keelson/api';

const encoded = new WeakMap<KubeObject, string>();

/** `obj` as JSON, computed at most once per object. */
export function objectJson(obj: KubeObject): string {
  let json = encoded.get(obj);
  if (json === undefined) {
    json = JSON.stringify(obj);
    encoded.set(obj, json);
  }
  return json;
}

/** A watch event line (with its newline) for a cached object. */
export function watchEventLine(type: string, obj: KubeObject): string {
  return `{"type":${JSON.stringify(type)},"object":${objectJson(obj)}}\n`;
}
