// One cleanup pass over a terminating namespace (kube's NamespacedResourcesDeleter): for
// every namespaced resource the API serves, list what is in the namespace, delete what is
// not already terminating, and count what is still there. Idempotent: the reconciler runs
// passes until nothing remains, then finalizes the namespace.
import type { KubeObject, Status } from '@keelson/api';
import { isNotFound, messageOf, type KeelsonClient, type ResourceRef } from '@keelson/client';
import type { ContentSummary } from './namespace-conditions';
import type { NamespacedResourceDiscovery } from './discovery';

/** The client calls a pass makes (a KeelsonClient fits). */
export type ContentClient = Pick<KeelsonClient, 'list' | 'delete'>;

export interface ContentPass extends ContentSummary {
  /** Seconds until the slowest graceful pod deletion should end (0 when none is pending). */
  estimateSeconds: number;
}

/** Deletes in flight per resource; enough to clear hundreds of pods quickly without a flood. */
const DELETE_PARALLELISM = 8;

export class ContentDeleter {
  constructor(private readonly client: ContentClient, private readonly discovery: Pick<NamespacedResourceDiscovery, 'resources'>) {}

  async deleteAllContent(namespace: string, signal?: AbortSignal): Promise<ContentPass> {
    const pass: ContentPass = { errors: [], remaining: new Map(), finalizersRemaining: new Map(), estimateSeconds: 0 };
    let resources: ResourceRef[];
    try {
      resources = await this.discovery.resources();
    } catch (err) {
      pass.discoveryError = messageOf(err);
      return pass;
    }
    await Promise.all(resources.map((r) => this.deleteResource(r, namespace, pass, signal)));
    return pass;
  }

  private async deleteResource(r: ResourceRef, namespace: string, pass: ContentPass, signal?: AbortSignal): Promise<void> {
    const name = r.group ? `${r.resource}.${r.group}` : r.resource;
    let items: KubeObject[];
    try {
      items = (await this.client.list(r, namespace, {}, { signal })).items;
    } catch (err) {
      pass.errors.push(`${name}: list: ${messageOf(err)}`);
      return;
    }
    const left: KubeObject[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < items.length && !signal?.aborted) {
        const item = items[next++];
        if (item.metadata.deletionTimestamp) {
          left.push(item); // already on its way out (grace period or finalizers)
          continue;
        }
        try {
          // Background propagation; pods keep their own grace period (unbound ones go at once).
          const res = await this.client.delete(r, namespace, item.metadata.name!, { propagationPolicy: 'Background', signal });
          if (!isStatus(res)) left.push(res);
        } catch (err) {
          if (isNotFound(err)) continue; // gone already
          pass.errors.push(`${name} "${item.metadata.name}": delete: ${messageOf(err)}`);
          left.push(item);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(DELETE_PARALLELISM, items.length) }, worker));
    if (signal?.aborted) left.push(...items.slice(next));
    if (left.length === 0) return;
    pass.remaining.set(name, left.length);
    for (const o of left) {
      for (const f of o.metadata.finalizers ?? []) pass.finalizersRemaining.set(f, (pass.finalizersRemaining.get(f) ?? 0) + 1);
      const ends = o.metadata.deletionTimestamp ? Date.parse(o.metadata.deletionTimestamp) : NaN;
      if (Number.isFinite(ends)) pass.estimateSeconds = Math.max(pass.estimateSeconds, Math.ceil((ends - Date.now()) / 1000));
    }
  }
}

function isStatus(o: KubeObject | Status): o is Status {
  return o.kind === 'Status';
}
