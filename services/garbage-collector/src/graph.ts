// The owner→dependents graph (kube's GraphBuilder): one node per uid, built from the
// informers of every served resource. An owner referenced before it is observed gets a
// "virtual" node, queued so attempt-to-delete can verify it through the API.
// Informer handlers run synchronously on one thread, so the graph is mutated in event order
// without locks; the decisions that call the API live in attempt-to-delete.ts and orphan.ts.
import type { KubeObject, OwnerReference } from '@keelson/api';
import type { AbsentOwnerCache } from './absent-owner-cache';
import { identityOfRef, refMatches, sameIdentity, type KindResolver, type ObjectIdentity } from './identity';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

export interface GraphNode {
  identity: ObjectIdentity;
  /** The object's ownerReferences as last observed. */
  owners: OwnerReference[];
  dependents: Set<GraphNode>;
  /** Known only from a dependent's ownerReference, not yet observed by an informer. */
  virtual: boolean;
  /** deletionTimestamp is set. */
  beingDeleted: boolean;
  /** deletionTimestamp and the foregroundDeletion finalizer: deleting its dependents first. */
  deletingDependents: boolean;
}

/** Where the graph sends work (the garbage collector's two queues and its event recorder). */
export interface GraphQueues {
  attemptToDelete(node: GraphNode): void;
  attemptToOrphan(node: GraphNode): void;
  /** A dependent references a namespaced owner observed in another namespace. */
  invalidOwnerNamespace(dependent: GraphNode, owner: ObjectIdentity): void;
}

export interface DependencyGraphOptions {
  resolver: KindResolver;
  absentOwners: AbsentOwnerCache;
  queues: GraphQueues;
}

export class DependencyGraph {
  private readonly nodes = new Map<string, GraphNode>();

  constructor(private readonly opts: DependencyGraphOptions) {}

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  get size(): number {
    return this.nodes.size;
  }

  /** An added or updated object (or a resync re-delivery), with its identity. */
  observe(obj: KubeObject, identity: ObjectIdentity): void {
    const owners = obj.metadata.ownerReferences ?? [];
    let node = this.nodes.get(identity.uid);
    if (!node) {
      node = { identity, owners, dependents: new Set(), virtual: false, beingDeleted: false, deletingDependents: false };
      this.nodes.set(identity.uid, node);
      this.addDependentToOwners(node, owners);
    } else {
      if (node.virtual || !sameIdentity(node.identity, identity)) {
        // Observed at last: the informer's coordinates replace the guessed ones.
        node.virtual = false;
        node.identity = identity;
      }
      this.updateOwners(node, owners);
    }
    this.processTransitions(obj, node);
  }

  /** An object's deletion observed by an informer. */
  observeDelete(identity: ObjectIdentity): void {
    const node = this.nodes.get(identity.uid);
    if (node) this.removeNode(node, identity);
  }

  /**
   * attempt-to-delete verified through the API that `identity` does not exist (kube's
   * virtual delete event). A node whose dependents disagree on its coordinates stays.
   */
  verifiedAbsent(identity: ObjectIdentity): void {
    const node = this.nodes.get(identity.uid);
    if (!node) return;
    if (!node.virtual && sameIdentity(node.identity, identity)) {
      this.removeNode(node, identity);
      return;
    }
    const { matching, nonmatching } = this.partitionDependents(node, identity);
    if (!node.virtual || nonmatching.length > 0) {
      // Only the dependents that used these coordinates lose their owner.
      if (matching.length > 0) {
        this.opts.absentOwners.add(identity);
        for (const dep of matching) this.opts.queues.attemptToDelete(dep);
      }
      if (node.virtual && sameIdentity(node.identity, identity)) {
        // Try the coordinates another dependent gives for the same uid.
        const dep = nonmatching[0];
        const ref = dep.owners.find((r) => r.uid === identity.uid)!;
        node.identity = this.ownerIdentity(ref, dep);
        this.opts.queues.attemptToDelete(node);
      }
      return;
    }
    this.removeNode(node, identity);
  }

  /**
   * The served kinds changed (discovery): a virtual owner of a kind unknown until now gets the
   * scope its kind has (a cluster-scoped owner was guessed to live in its dependent's namespace)
   * and is verified again at once, instead of after its back-off on the unknown kind.
   */
  recheckVirtual(): number {
    let n = 0;
    for (const node of this.nodes.values()) {
      if (!node.virtual) continue;
      if (this.opts.resolver.isNamespaced(node.identity.apiVersion, node.identity.kind) === false && node.identity.namespace) {
        node.identity = { ...node.identity, namespace: '' };
      }
      this.opts.queues.attemptToDelete(node);
      n++;
    }
    return n;
  }

  /** Dependents whose reference to `owner` blocks its foreground deletion. */
  blockingDependents(owner: GraphNode): GraphNode[] {
    return [...owner.dependents].filter((d) => d.owners.some((r) => r.uid === owner.identity.uid && r.blockOwnerDeletion === true));
  }

  /** Level-based: re-queues whatever a terminating object's finalizers ask for. */
  private processTransitions(obj: KubeObject, node: GraphNode): void {
    const finalizers = obj.metadata.finalizers ?? [];
    node.beingDeleted = !!obj.metadata.deletionTimestamp;
    node.deletingDependents = node.beingDeleted && finalizers.includes(FOREGROUND_FINALIZER);
    if (node.beingDeleted && finalizers.includes(ORPHAN_FINALIZER)) this.opts.queues.attemptToOrphan(node);
    if (node.deletingDependents) {
      for (const dep of node.dependents) this.opts.queues.attemptToDelete(dep);
      this.opts.queues.attemptToDelete(node);
    }
  }

  private updateOwners(node: GraphNode, owners: OwnerReference[]): void {
    const before = new Map(node.owners.map((r) => [r.uid, r]));
    const after = new Map(owners.map((r) => [r.uid, r]));
    const added = owners.filter((r) => !before.has(r.uid));
    node.owners = owners;
    this.addDependentToOwners(node, added);
    for (const [uid, old] of before) {
      const now = after.get(uid);
      const ownerNode = this.nodes.get(uid);
      if (!now) ownerNode?.dependents.delete(node);
      // A removed or unblocked reference may be what a foreground deletion waits on.
      const unblocked = old.blockOwnerDeletion === true && now?.blockOwnerDeletion !== true;
      if (ownerNode?.deletingDependents && (!now || unblocked)) this.opts.queues.attemptToDelete(ownerNode);
    }
  }

  private addDependentToOwners(node: GraphNode, owners: OwnerReference[]): void {
    let suspicious = false;
    for (const ref of owners) {
      let owner = this.nodes.get(ref.uid);
      if (!owner) {
        owner = { identity: this.ownerIdentity(ref, node), owners: [], dependents: new Set([node]), virtual: true, beingDeleted: false, deletingDependents: false };
        this.nodes.set(ref.uid, owner);
        this.opts.queues.attemptToDelete(owner);
        continue;
      }
      owner.dependents.add(node);
      if (suspicious) continue;
      const ownerNamespaced = owner.identity.namespace !== '';
      if (ownerNamespaced && owner.identity.namespace !== node.identity.namespace) {
        // Namespaced owners resolve only in their dependent's namespace.
        if (!owner.virtual) this.reportInvalidNamespace(node, ref);
        suspicious = true;
      } else if (!refMatches(ref, owner.identity)) {
        suspicious = true;
      }
    }
    if (suspicious) this.opts.queues.attemptToDelete(node);
  }

  private reportInvalidNamespace(node: GraphNode, ref: OwnerReference): void {
    const invalid = identityOfRef(ref, node.identity.namespace);
    this.opts.absentOwners.add(invalid);
    this.opts.queues.invalidOwnerNamespace(node, invalid);
  }

  private removeNode(node: GraphNode, identity: ObjectIdentity): void {
    this.nodes.delete(node.identity.uid);
    for (const ref of node.owners) this.nodes.get(ref.uid)?.dependents.delete(node);
    if (node.dependents.size > 0) this.opts.absentOwners.add(identity);
    for (const dep of node.dependents) this.opts.queues.attemptToDelete(dep);
    for (const ref of node.owners) {
      const owner = this.nodes.get(ref.uid);
      // Let a foreground-deleting owner check whether it may go now.
      if (owner?.deletingDependents) this.opts.queues.attemptToDelete(owner);
    }
  }

  /** Where an ownerReference points: the dependent's namespace, unless the kind is cluster-scoped. */
  private ownerIdentity(ref: OwnerReference, dependent: GraphNode): ObjectIdentity {
    const namespaced = this.opts.resolver.isNamespaced(ref.apiVersion, ref.kind);
    return identityOfRef(ref, namespaced === false ? '' : dependent.identity.namespace);
  }

  private partitionDependents(node: GraphNode, identity: ObjectIdentity): { matching: GraphNode[]; nonmatching: GraphNode[] } {
    const matching: GraphNode[] = [];
    const nonmatching: GraphNode[] = [];
    for (const dep of node.dependents) {
      if (identity.namespace && identity.namespace !== dep.identity.namespace) {
        nonmatching.push(dep);
        continue;
      }
      const refs = dep.owners.filter((r) => r.uid === identity.uid);
      if (refs.some((r) => refMatches(r, identity))) matching.push(dep);
      if (refs.some((r) => !refMatches(r, identity))) nonmatching.push(dep);
    }
    return { matching, nonmatching };
  }
}
