// What to do with a dependent once its owners are classified (the switch at the end of
// kube's attemptToDeleteItem), kept pure so the rules are tested without an API.
import type { OwnerReference } from '@keelson/api';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from './graph';
import type { DeletionPropagation } from './object-access';

export interface ClassifiedOwners {
  /** Owners that exist and are not deleting their dependents in the foreground. */
  solid: OwnerReference[];
  /** Owners that do not exist (or exist under another uid, or cannot be referenced from here). */
  dangling: OwnerReference[];
  /** Owners being deleted in the foreground, waiting for this dependent. */
  waiting: OwnerReference[];
}

export interface DependentFacts {
  /** The dependent itself has dependents in the graph. */
  hasDependents: boolean;
  /** One of those is itself deleting its dependents in the foreground (a possible cycle). */
  hasDependentDeletingDependents: boolean;
  /** The dependent's own finalizers. */
  finalizers: readonly string[];
}

export type Decision =
  | { action: 'keep' }
  /** A live owner remains: drop only the references to gone or foreground-deleting owners. */
  | { action: 'removeOwnerReferences'; ownerUids: string[] }
  /** No live owner remains; `unblockFirst` clears blockOwnerDeletion to break a cycle. */
  | { action: 'delete'; policy: DeletionPropagation; unblockFirst: boolean };

export function decide(owners: ClassifiedOwners, facts: DependentFacts): Decision {
  if (owners.solid.length > 0) {
    const stale = [...owners.dangling, ...owners.waiting];
    if (stale.length === 0) return { action: 'keep' };
    return { action: 'removeOwnerReferences', ownerUids: stale.map((r) => r.uid) };
  }
  if (owners.waiting.length > 0 && facts.hasDependents) {
    // The owner waits for us, and we have dependents: delete ours first, in the foreground.
    return { action: 'delete', policy: 'Foreground', unblockFirst: facts.hasDependentDeletingDependents };
  }
  return { action: 'delete', policy: defaultPolicy(facts.finalizers), unblockFirst: false };
}

/** The policy an object's own finalizers already ask for; Background otherwise. */
export function defaultPolicy(finalizers: readonly string[]): DeletionPropagation {
  if (finalizers.includes(ORPHAN_FINALIZER)) return 'Orphan';
  if (finalizers.includes(FOREGROUND_FINALIZER)) return 'Foreground';
  return 'Background';
}
