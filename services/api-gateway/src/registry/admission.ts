// Built-in admission: objects are only created in namespaces that exist and are not terminating.
import { errors, type KubeObject, type ResourceInfo } from '@keelson/api';
import type { EtcdStore } from '@keelson/storage';
import type { AdmissionCheck } from './resource-store';

export function namespaceLifecycle(store: EtcdStore, namespacesKey: (name: string) => string): AdmissionCheck {
  return async (obj: KubeObject, info: ResourceInfo) => {
    if (!info.namespaced) return;
    const ns = obj.metadata.namespace!;
    const namespace = await store.get(namespacesKey(ns));
    if (!namespace) throw errors.notFound('namespaces', ns);
    if (namespace.metadata.deletionTimestamp) {
      throw errors.forbidden(`${info.resource} "${obj.metadata.name ?? ''}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`, info.resource, obj.metadata.name);
    }
  };
}
