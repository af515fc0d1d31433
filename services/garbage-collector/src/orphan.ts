// kube's attemptToOrphan: an owner deleted with propagationPolicy=Orphan carries the
// `orphan` finalizer; remove its ownerReference from every dependent, then the finalizer,
// after which the gateway deletes the owner.
import type { ReconcileContext, Reconciler } from '@keelson/controller-runtime';
import { ORPHAN_FINALIZER, type DependencyGraph } from './graph';
import type { ObjectAccess } from './object-access';

export class AttemptToOrphan implements Reconciler {
  constructor(private readonly graph: DependencyGraph, private readonly access: ObjectAccess) {}

  async reconcile(uid: string, ctx: ReconcileContext): Promise<void> {
    const owner = this.graph.get(uid);
    if (!owner || owner.virtual) return;
    const dependents = [...owner.dependents];
    // All or nothing: any failure retries the whole owner, and edits are idempotent.
    await Promise.all(dependents.map((d) => this.access.removeOwnerReferences(d.identity, [uid])));
    if (ctx.signal.aborted) return;
    ctx.logger.info('orphaned dependents; removing the orphan finalizer', { owner: owner.identity, dependents: dependents.length });
    await this.access.removeFinalizer(owner.identity, ORPHAN_FINALIZER);
  }
}
