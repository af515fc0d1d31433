// Built-in admission: objects are only created in namespaces that exist and are not
// terminating. Like kube's NamespaceLifecycle it reads the namespace watch cache and
// falls back to etcd on a miss (a namespace created a moment ago may not be cached yet).
import { errors, type KubeObject, type ResourceInfo } from '@keelson/api';
import type { EtcdStore, WatchCache } from '@keelson/storage';
import type { AdmissionCheck } from './resource-store';

export function namespaceLifecycle(store: EtcdStore, namespaces: WatchCache, namespacesKey: (name: string) => string): AdmissionCheck {
  return async (obj: KubeObject, info: ResourceInfo) => {
    if (!info.namespaced) return;
    const ns = obj.metadata.namespace!;
    const key = namespacesKey(ns);
    const namespace = namespaces.get(key) ?? (await store.get(key));
    if (!namespace) throw errors.notFound('namespaces', ns);
    if (namespace.metadata.deletionTimestamp) {
      throw errors.forbidden(`${info.resource} "${obj.metadata.name ?? ''}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`, info.resource, obj.metadata.name);
    }
  };
}
