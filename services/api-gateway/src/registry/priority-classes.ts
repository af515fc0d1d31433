// PriorityClass bootstrap and admission, as kube-apiserver's scheduling storage post-start hook
// (the system-node-critical and system-cluster-critical classes exist from the start) and the
// Priority admission plugin (at most one class is the global default, on create and update).
import { randomUUID } from 'node:crypto';
import { SYSTEM_PRIORITY_CLASSES, applyDefaults, errors, isRecord, prepareForCreate, qualifiedResource, type KubeObject, type ResourceInfo } from '@keelson/api';
import { StorageError, keyFor, prefixFor, type EtcdStore } from '@keelson/storage';
import type { Logger } from '@keelson/telemetry';
import type { RequestContext } from './request-context';
import { ResourceStore, type AdmissionCheck, type UpdateMutation, type UpdateOptions } from './resource-store';
import { nowTimestamp } from './object-meta';

/** Creates the system priority classes that are missing; existing ones are left alone. */
export async function ensureSystemPriorityClasses(store: EtcdStore, info: ResourceInfo, log: Logger): Promise<void> {
  for (const spc of SYSTEM_PRIORITY_CLASSES) {
    const pc: KubeObject = {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: spc.name, uid: randomUUID(), creationTimestamp: nowTimestamp() },
      value: spc.value,
      description: spc.description,
    };
    try {
      await store.create(keyFor(info, undefined, spc.name), prepareForCreate(applyDefaults(pc, info), info));
      log.info('created system priority class', { name: spc.name, value: spc.value });
    } catch (e) {
      if (!(e instanceof StorageError && e.code === 'KeyExists')) throw e;
    }
  }
}

/** The Priority admission plugin's PriorityClass rule: a class may be the global default only while no other class is. */
export function priorityClassAdmission(store: EtcdStore): AdmissionCheck {
  return async (obj: KubeObject, info: ResourceInfo) => {
    if (info.group !== 'scheduling.k8s.io' || info.resource !== 'priorityclasses' || obj.globalDefault !== true) return;
    const { items } = await store.list(prefixFor(info));
    // Of several defaults (a race), the lowest value is the one in force, as upstream picks it.
    const current = items
      .filter((pc) => pc.globalDefault === true && pc.metadata.name !== obj.metadata.name)
      .sort((a, b) => Number(a.value ?? 0) - Number(b.value ?? 0))[0];
    if (current) {
      const name = obj.metadata.name ?? '';
      throw errors.forbidden(
        `${qualifiedResource(info)} "${name}" is forbidden: PriorityClass ${current.metadata.name ?? ''} is already marked as default. Only one default can exist`,
        qualifiedResource(info),
        name,
      );
    }
  };
}

/** The priorityclasses store: the generic one, with the global-default rule on updates too (generic admission runs on create). */
export class PriorityClassStore extends ResourceStore {
  private readonly globalDefault: AdmissionCheck;

  constructor(info: ResourceInfo, store: EtcdStore, admission: AdmissionCheck[]) {
    super(info, store, admission);
    this.globalDefault = priorityClassAdmission(store);
  }

  override update(namespace: string | undefined, name: string, mutate: UpdateMutation, ctx: RequestContext, opts: UpdateOptions = {}): Promise<KubeObject> {
    return super.update(namespace, name, async (current) => {
      const desired = await mutate(current);
      if (isRecord(desired) && desired.globalDefault === true && current.globalDefault !== true) {
        await this.globalDefault({ ...(desired as KubeObject), metadata: { ...current.metadata } }, this.info, ctx);
      }
      return desired;
    }, ctx, opts);
  }
}
