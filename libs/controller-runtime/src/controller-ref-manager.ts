// Claiming dependents (kube's pkg/controller/controller_ref_manager.go, BaseControllerRefManager
// with its Pod and ReplicaSet variants): a controller owns the objects that carry its
// controllerRef and match its selector. It adopts matching orphans, releases its own objects
// that stopped matching, and never touches what another controller owns. Every controller
// that manages dependents by selector (Deployment → ReplicaSets, ReplicaSet → Pods) claims
// through this one class, so adoption and release fail and retry the same way everywhere.
import { getControllerOf, newControllerRef, type GroupVersionKind, type KubeObject, type LabelSelector } from '@keelson/api';
import { isConflict, isInvalid, isNotFound, messageOf, type KeelsonClient, type ResourceRef } from '@keelson/client';

/** Which resources a controller claims between: fixed per controller, so a constant. */
export interface ControllerRefKinds {
  /** The controller's resource: adoption re-reads the controller from the API first. */
  controllerResource: ResourceRef;
  /** What the controllerRef names it as (`apps/v1` ReplicaSet). */
  controllerKind: GroupVersionKind;
  /** The dependents' resource (pods, replicasets). */
  resource: ResourceRef;
}

export interface ControllerRefManagerOptions<C extends KubeObject, T extends KubeObject> extends ControllerRefKinds {
  client: Pick<KeelsonClient, 'get' | 'patch'>;
  /** The controller as the cache has it. */
  controller: C;
  selector: Pick<LabelSelector, 'matches'>;
  /** A further condition a dependent must meet to be claimed, beyond the selector. */
  filter?: (obj: T) => boolean;
  fieldManager?: string;
}

/** How often a claim re-reads a dependent and tries again after a 409 Conflict. */
export const CLAIM_CONFLICT_RETRIES = 3;

/** More than one dependent failed to be claimed; `errors` holds each distinct failure. */
export class ClaimError extends Error {
  constructor(readonly errors: unknown[]) {
    super(`[${errors.map(messageOf).join(', ')}]`);
    this.name = 'ClaimError';
  }
}

const WRITE_NEEDED = Symbol('write needed');

export class ControllerRefManager<C extends KubeObject, T extends KubeObject> {
  private canAdoptOnce?: Promise<void>;

  constructor(private readonly o: ControllerRefManagerOptions<C, T>) {}

  private get owner(): C {
    return this.o.controller;
  }

  private describeOwner(): string {
    const m = this.owner.metadata;
    return `${this.o.controllerKind.kind} ${m.namespace ? `${m.namespace}/` : ''}${m.name}`;
  }

  /**
   * The dependents the controller owns once adoption and release are done: those it
   * controls that match, plus the orphans it adopted (as the API returned them). Every
   * candidate is tried; then a failure is thrown (ClaimError when several differ).
   */
  async claim(candidates: readonly T[], signal?: AbortSignal): Promise<T[]> {
    const failures = new Map<string, unknown>();
    const results = new Array<T | undefined>(candidates.length);
    // Most candidates are settled without a write (ours and matching, or another's): decided
    // here, with no promise each; only adoptions and releases wait for the API.
    const ownerDeleting = !!this.owner.metadata.deletionTimestamp;
    const writes: Promise<void>[] = [];
    for (let i = 0; i < candidates.length; i++) {
      const settled = this.settledWithoutWrite(candidates[i], ownerDeleting);
      if (settled !== WRITE_NEEDED) {
        results[i] = settled;
        continue;
      }
      writes.push(this.claimByWrite(candidates[i], 0, signal).then(
        (r) => void (results[i] = r),
        (err: unknown) => {
          // One failed owner re-check fails every adoption alike: report it once.
          if (!failures.has(messageOf(err))) failures.set(messageOf(err), err);
        },
      ));
    }
    if (writes.length) await Promise.all(writes);
    if (failures.size === 1) throw [...failures.values()][0];
    if (failures.size > 1) throw new ClaimError([...failures.values()]);
    return results.filter((r) => r !== undefined) as T[]; // in the candidates' order
  }

  private matches(obj: T): boolean {
    return this.o.selector.matches(obj.metadata.labels) && (this.o.filter?.(obj) ?? true);
  }

  /**
   * ClaimObject's decision where it needs no write: the object if it is ours, undefined if it is
   * not and stays so; WRITE_NEEDED for an orphan to adopt or a dependent to release.
   */
  private settledWithoutWrite(obj: T, ownerDeleting: boolean): T | undefined | typeof WRITE_NEEDED {
    const ref = getControllerOf(obj);
    if (ref) {
      if (ref.uid !== this.owner.metadata.uid) return undefined; // another controller's
      if (this.matches(obj)) return obj;
      // Stopped matching: not counted; released unless the controller is being deleted
      // (then its dependents go with it, as upstream leaves them).
      return ownerDeleting ? undefined : WRITE_NEEDED;
    }
    // An orphan: adopt it if it matches and neither side is going away.
    if (ownerDeleting || !this.matches(obj) || obj.metadata.deletionTimestamp) return undefined;
    const ns = this.owner.metadata.namespace;
    if (ns && ns !== obj.metadata.namespace) return undefined; // never across namespaces
    return WRITE_NEEDED;
  }

  /** ClaimObject: the object if it is (now) ours, undefined if it is not. */
  private async claimObject(obj: T, attempt: number, signal?: AbortSignal): Promise<T | undefined> {
    const settled = this.settledWithoutWrite(obj, !!this.owner.metadata.deletionTimestamp);
    return settled === WRITE_NEEDED ? this.claimByWrite(obj, attempt, signal) : settled;
  }

  /** What settledWithoutWrite left to the API: release our dependent, or adopt the orphan. */
  private async claimByWrite(obj: T, attempt: number, signal?: AbortSignal): Promise<T | undefined> {
    if (getControllerOf(obj)) {
      await this.release(obj, attempt, signal);
      return undefined;
    }
    return this.adopt(obj, attempt, signal);
  }

  /**
   * RecheckDeletionTimestamp, once per claim: the cached controller may already be deleted,
   * or replaced by a namesake; only a fresh read from the API (not the cache) can tell.
   */
  private canAdopt(signal?: AbortSignal): Promise<void> {
    this.canAdoptOnce ??= (async () => {
      const m = this.owner.metadata;
      let fresh: KubeObject;
      try {
        fresh = await this.o.client.get(this.o.controllerResource, m.namespace, m.name!, { signal });
      } catch (err) {
        throw new Error(`can't recheck DeletionTimestamp of ${this.describeOwner()}: ${messageOf(err)}`, { cause: err });
      }
      if (fresh.metadata.uid !== m.uid) throw new Error(`original ${this.describeOwner()} is gone: got uid ${fresh.metadata.uid}, wanted ${m.uid}`);
      if (fresh.metadata.deletionTimestamp) throw new Error(`${this.describeOwner()} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    })();
    return this.canAdoptOnce;
  }

  /** Adds our controllerRef; the object's uid in the patch refuses a replaced namesake. */
  private async adopt(obj: T, attempt: number, signal?: AbortSignal): Promise<T | undefined> {
    await this.canAdopt(signal);
    const patch = { metadata: { ownerReferences: [newControllerRef(this.owner, this.o.controllerKind)], uid: obj.metadata.uid } };
    try {
      return await this.patch(obj, patch, signal);
    } catch (err) {
      if (isNotFound(err)) return undefined; // gone: nothing to adopt
      if (isConflict(err)) return this.afterConflict(obj, err, attempt, signal);
      throw err;
    }
  }

  /** Removes our ownerReference (by uid), leaving the object an orphan for others to adopt. */
  private async release(obj: T, attempt: number, signal?: AbortSignal): Promise<void> {
    const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: this.owner.metadata.uid }], uid: obj.metadata.uid } };
    try {
      await this.patch(obj, patch, signal);
    } catch (err) {
      // Gone, or (Invalid) no longer carrying the reference: either way not ours any more.
      if (isNotFound(err) || isInvalid(err)) return;
      if (isConflict(err)) {
        await this.afterConflict(obj, err, attempt, signal);
        return;
      }
      throw err;
    }
  }

  /**
   * A 409 means the object we saw was replaced (uid precondition) or kept changing under
   * the write. Re-read it from the API and claim that state again; a replaced or vanished
   * object was never ours to adopt or release.
   */
  private async afterConflict(obj: T, err: unknown, attempt: number, signal?: AbortSignal): Promise<T | undefined> {
    if (attempt >= CLAIM_CONFLICT_RETRIES) throw err;
    let fresh: T;
    try {
      fresh = await this.o.client.get<T>(this.o.resource, obj.metadata.namespace, obj.metadata.name!, { signal });
    } catch (getErr) {
      if (isNotFound(getErr)) return undefined;
      throw getErr;
    }
    if (fresh.metadata.uid !== obj.metadata.uid) return undefined;
    return this.claimObject(fresh, attempt + 1, signal);
  }

  private patch(obj: T, body: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
    return this.o.client.patch<T>(this.o.resource, obj.metadata.namespace, obj.metadata.name!, body, { type: 'strategic', signal, fieldManager: this.o.fieldManager });
  }
}
