// etcd key → event subject. The key layout is storage's (`/registry/<group|core>/<resource>/[<ns>/]<name>`);
// scope is read from the segment count, because names never contain `/`.
import { eventSubject } from './subjects';

export const REGISTRY_PREFIX = '/registry/';
// Resource and namespace become subject tokens as they are; group dots are rewritten to `_`.
const SUBJECT_TOKEN = /^[^\s*>.]+$/;
const GROUP_TOKEN = /^[^\s*>]+$/;

export interface RegistryKey {
  /** `''` for the core group. */
  group: string;
  resource: string;
  /** Absent for cluster-scoped objects. */
  namespace?: string;
  name: string;
}

/** Parses an object key; undefined for anything that is not one (other prefixes, empty segments). */
export function parseRegistryKey(key: string): RegistryKey | undefined {
  if (!key.startsWith(REGISTRY_PREFIX)) return undefined;
  const parts = key.slice(REGISTRY_PREFIX.length).split('/');
  if (parts.some((p) => p === '')) return undefined;
  const group = parts[0] === 'core' ? '' : parts[0];
  // Names (which may hold dots) are not in the subject, only in the payload.
  if (!GROUP_TOKEN.test(parts[0]) || !SUBJECT_TOKEN.test(parts[1])) return undefined;
  if (parts.length === 4 && SUBJECT_TOKEN.test(parts[2])) return { group, resource: parts[1], namespace: parts[2], name: parts[3] };
  if (parts.length === 3) return { group, resource: parts[1], name: parts[2] };
  return undefined;
}

/** The subject a change of this key is published on; undefined when the key is not an object key. */
export function subjectForKey(key: string): string | undefined {
  const k = parseRegistryKey(key);
  return k && eventSubject(k.group, k.resource, k.namespace);
}
