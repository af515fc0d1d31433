// kube's attemptToDeleteItem: for one graph node (queued by uid), read the live object,
// verify its owners through the API, and delete it when none is left alive; for an owner
// deleting in the foreground, remove the finalizer once no dependent blocks it.
import type { KubeObject, OwnerReference } from '@keelson/api';
import type { ReconcileContext, ReconcileResult, Reconciler } from '@keelson/controller-runtime';
import type { AbsentOwnerCache } from './absent-owner-cache';
import { decide, type ClassifiedOwners } from './decide';
import { FOREGROUND_FINALIZER, type DependencyGraph, type GraphNode } from './graph';
import { identityOfRef, type KindResolver, type ObjectIdentity } from './identity';
import type { ObjectAccess } from './object-access';

export interface AttemptToDeleteOptions {
  graph: DependencyGraph;
  access: ObjectAccess;
  resolver: KindResolver;
  absentOwners: AbsentOwnerCache;
  /** Queues a node again (the owners of a foreground deletion's blocking dependents). */
  enqueue(node: GraphNode): void;
  /** A cluster-scoped dependent names a namespaced owner: reported, then treated as absent. */
  invalidOwnerNamespace(dependent: KubeObject, owner: ObjectIdentity): void;
  /** How soon to look again at a virtual node whose object exists but is not observed yet. */
  virtualRecheckMs?: number;
}

type OwnerState = { state: 'dangling' } | { state: 'invalid' } | { state: 'live'; owner: KubeObject };

export class AttemptToDelete implements Reconciler {
  constructor(private readonly opts: AttemptToDeleteOptions) {}

  async reconcile(uid: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const node = this.opts.graph.get(uid);
    if (!node) return; // removed from the graph since it was queued
    // Terminating normally: its own deletion is under way, nothing for us to decide.
    if (node.beingDeleted && !node.deletingDependents) return;

    const latest = await this.opts.access.get(node.identity);
    if (!latest || latest.metadata.uid !== node.identity.uid) {
      // Verified absent: drop (virtual) node, queue its dependents.
      ctx.logger.debug('item not found; removing it from the graph', { item: node.identity });
      this.opts.graph.verifiedAbsent(node.identity);
      return;
    }
    if (node.virtual) {
      // Exists, but its informer has not delivered it yet: look again once it has.
      return { requeueAfter: this.opts.virtualRecheckMs ?? 1000 };
    }
    if (node.deletingDependents) return this.processDeletingDependents(node, ctx);

    const refs = latest.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const owners = await this.classify(latest, node, refs);
    const dependents = [...node.dependents];
    const decision = decide(owners, {
      hasDependents: dependents.length > 0,
      hasDependentDeletingDependents: dependents.some((d) => d.deletingDependents),
      finalizers: latest.metadata.finalizers ?? [],
    });
    if (ctx.signal.aborted) return;
    switch (decision.action) {
      case 'keep':
        return;
      case 'removeOwnerReferences':
        ctx.logger.info('removing references to absent or foreground-deleting owners', { item: node.identity, owners: decision.ownerUids });
        await this.opts.access.removeOwnerReferences(node.identity, decision.ownerUids);
        return;
      case 'delete':
        if (decision.unblockFirst) await this.opts.access.unblockOwnerReferences(node.identity);
        ctx.logger.info('deleting object whose owners are gone', { item: node.identity, policy: decision.policy });
        await this.opts.access.delete(node.identity, decision.policy);
        return;
    }
  }

  /** An owner in foreground deletion: wait for blocking dependents, then let it go. */
  private async processDeletingDependents(node: GraphNode, ctx: ReconcileContext): Promise<void> {
    const blocking = this.opts.graph.blockingDependents(node);
    if (blocking.length === 0) {
      ctx.logger.info('no blocking dependents left; removing the foregroundDeletion finalizer', { item: node.identity });
      await this.opts.access.removeFinalizer(node.identity, FOREGROUND_FINALIZER);
      return;
    }
    // Dependents deleting their own dependents will come back to us when they are gone.
    for (const dep of blocking) if (!dep.deletingDependents) this.opts.enqueue(dep);
  }

  private async classify(item: KubeObject, node: GraphNode, refs: OwnerReference[]): Promise<ClassifiedOwners> {
    const out: ClassifiedOwners = { solid: [], dangling: [], waiting: [] };
    for (const ref of refs) {
      const s = await this.ownerState(ref, node);
      if (s.state === 'invalid') {
        this.opts.invalidOwnerNamespace(item, identityOfRef(ref, node.identity.namespace));
        out.dangling.push(ref);
      } else if (s.state === 'dangling') {
        out.dangling.push(ref);
      } else if (s.owner.metadata.deletionTimestamp && (s.owner.metadata.finalizers ?? []).includes(FOREGROUND_FINALIZER)) {
        out.waiting.push(ref);
      } else {
        out.solid.push(ref);
      }
    }
    return out;
  }

  /** kube's isDangling: the absent-owner cache first, else a live read of the owner. */
  private async ownerState(ref: OwnerReference, item: GraphNode): Promise<OwnerState> {
    const clusterKey = identityOfRef(ref, '');
    const namespacedKey = identityOfRef(ref, item.identity.namespace);
    const absent = this.opts.absentOwners;
    if (absent.has(clusterKey) || absent.has(namespacedKey)) return { state: 'dangling' };
    const namespaced = this.opts.resolver.resolve(ref.apiVersion, ref.kind).namespaced; // unknown kind: throws, retried
    if (namespaced && !item.identity.namespace) return { state: 'invalid' };
    const key = namespaced ? namespacedKey : clusterKey;
    const owner = await this.opts.access.get(key);
    if (!owner || owner.metadata.uid !== ref.uid) {
      absent.add(key);
      return { state: 'dangling' };
    }
    return { state: 'live', owner };
  }
}
