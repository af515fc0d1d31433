// Reconciles one namespace (kube's namespace controller syncNamespace): nothing to do until
// it is terminating; then delete its content pass after pass, report progress in status
// conditions, and once nothing is left remove the `kubernetes` finalizer through the
// finalize subresource, after which the gateway removes the namespace.
import { metaTime, NAMESPACES, type KubeObject } from '@keelson/api';
import { isNotFound, type KeelsonClient } from '@keelson/client';
import type { ReconcileContext, ReconcileResult, Reconciler } from '@keelson/controller-runtime';
import type { ContentDeleter } from './content-deleter';
import { mergeConditions, namespaceConditions, type NamespaceCondition } from './namespace-conditions';

export { NAMESPACES };
export const KUBERNETES_FINALIZER = 'kubernetes';

/** Content is still there; retried with back-off (level-based: the next pass re-lists). */
export class ContentRemainingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContentRemainingError';
  }
}

export type NamespaceClient = Pick<KeelsonClient, 'get' | 'updateStatus' | 'finalizeNamespace'>;

export class NamespaceReconciler implements Reconciler {
  constructor(private readonly client: NamespaceClient, private readonly deleter: Pick<ContentDeleter, 'deleteAllContent'>) {}

  async reconcile(name: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    // A live read, not the cache: acting on a stale namespace could finalize too early.
    let ns: KubeObject;
    try {
      ns = await this.client.get(NAMESPACES, undefined, name, { signal: ctx.signal });
    } catch (err) {
      if (isNotFound(err)) return; // already gone
      throw err;
    }
    if (!ns.metadata.deletionTimestamp) return;
    const finalizers = specFinalizers(ns);
    if (!finalizers.includes(KUBERNETES_FINALIZER)) return; // ours is done; others hold it

    const pass = await this.deleter.deleteAllContent(name, ctx.signal);
    if (ctx.signal.aborted) return;
    ns = await this.writeConditions(ns, namespaceConditions(pass));

    if (pass.discoveryError) throw new Error(`discovery failed: ${pass.discoveryError}`);
    if (pass.errors.length) throw new Error(`failed to delete content of namespace ${name}: ${pass.errors.join('; ')}`);
    const remaining = [...pass.remaining].map(([r, n]) => `${r}: ${n}`).join(', ');
    if (remaining) {
      ctx.logger.info('namespace content remaining', { namespace: name, remaining, estimateSeconds: pass.estimateSeconds });
      // Graceful pod deletions have a known end: come back then; anything else backs off.
      if (pass.estimateSeconds > 0) return { requeueAfter: pass.estimateSeconds * 1000 };
      throw new ContentRemainingError(`namespace ${name} still has content: ${remaining}`);
    }
    await this.client.finalizeNamespace(ns, finalizers.filter((f) => f !== KUBERNETES_FINALIZER), { signal: ctx.signal });
    ctx.logger.info('namespace finalized', { namespace: name });
  }

  /** Writes the conditions (and phase Terminating) when they changed; returns the latest object. */
  private async writeConditions(ns: KubeObject, fresh: NamespaceCondition[]): Promise<KubeObject> {
    const status = ns.status ?? {};
    const existing = Array.isArray(status.conditions) ? (status.conditions as NamespaceCondition[]) : [];
    const merged = mergeConditions(existing, fresh, metaTime());
    if (!merged && status.phase === 'Terminating') return ns;
    return this.client.updateStatus(NAMESPACES, { ...ns, status: { ...status, phase: 'Terminating', conditions: merged ?? existing } });
  }
}

function specFinalizers(ns: KubeObject): string[] {
  const f = ns.spec?.finalizers;
  return Array.isArray(f) ? f.filter((x): x is string => typeof x === 'string') : [];
}
