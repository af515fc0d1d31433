// etcd key layout: /registry/<group or core>/<resource>/<namespace>/<name>,
// cluster-scoped objects without the namespace segment.
import type { ResourceInfo } from '@keelson/api';

export const REGISTRY_ROOT = '/registry/';

/** `/registry/apps/deployments/` — every object of the resource lives under it. */
export function resourcePrefix(info: Pick<ResourceInfo, 'group' | 'resource'>): string {
  return `${REGISTRY_ROOT}${info.group || 'core'}/${info.resource}/`;
}

/** Prefix of the resource (all namespaces) or of one namespace; always ends with `/`. */
export function prefixFor(info: Pick<ResourceInfo, 'group' | 'resource' | 'namespaced'>, namespace?: string): string {
  const base = resourcePrefix(info);
  return info.namespaced && namespace ? `${base}${namespace}/` : base;
}

export function keyFor(info: Pick<ResourceInfo, 'group' | 'resource' | 'namespaced'>, namespace: string | undefined, name: string): string {
  if (!name) throw new Error('keyFor: name is required');
  if (info.namespaced) {
    if (!namespace) throw new Error(`keyFor: ${info.resource} is namespaced; a namespace is required`);
    return `${resourcePrefix(info)}${namespace}/${name}`;
  }
  return `${resourcePrefix(info)}${name}`;
}

/** The resource prefix (`resourcePrefix`) a key lives under, or undefined outside the registry's layout. */
export function resourcePrefixOfKey(key: string): string | undefined {
  if (!key.startsWith(REGISTRY_ROOT)) return undefined;
  const groupEnd = key.indexOf('/', REGISTRY_ROOT.length);
  const resourceEnd = groupEnd < 0 ? -1 : key.indexOf('/', groupEnd + 1);
  return resourceEnd < 0 ? undefined : key.slice(0, resourceEnd + 1);
}

/** First key after every key starting with `prefix` (etcd range_end for a prefix). */
export function prefixEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix);
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i] < 0xff) {
      const end = b.subarray(0, i + 1);
      end[i]++;
      return end;
    }
  }
  return Buffer.from([0]); // all keys
}
