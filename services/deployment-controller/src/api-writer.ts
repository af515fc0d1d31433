// The DeploymentWriter over the API: ReplicaSet writes with optimistic concurrency, status
// through deployments/status, Events through the recorder. It remembers its own latest
// writes so the next reconcile does not act on a cache that has not seen them yet (which
// would only end in 409 Conflicts and back-off).
import type { KubeObject } from '@keelson/api';
import { isConflict, isNotFound, type KeelsonClient } from '@keelson/client';
import { keyOf, type EventRecorder } from '@keelson/controller-runtime';
import type { DeploymentWriter } from './sync-context';
import { DEPLOYMENTS, REPLICASETS, type Deployment, type ReplicaSet } from './types';

const rv = (o: KubeObject): bigint => BigInt(o.metadata.resourceVersion ?? '0');

/** Objects this controller wrote, until the cache has them (or something newer). */
export class OwnWrites<T extends KubeObject> {
  private readonly byKey = new Map<string, T>();

  remember(obj: T): void {
    this.byKey.set(keyOf(obj), obj);
  }

  /** The newer of the cached object and our own write of it. */
  latest(cached: T): T {
    const key = keyOf(cached);
    const mine = this.byKey.get(key);
    if (!mine) return cached;
    if (mine.metadata.uid !== cached.metadata.uid || rv(cached) >= rv(mine)) {
      this.byKey.delete(key);
      return cached;
    }
    return mine;
  }

  forget(key: string): void {
    this.byKey.delete(key);
  }
}

export class ApiDeploymentWriter implements DeploymentWriter {
  readonly replicaSets = new OwnWrites<ReplicaSet>();
  readonly deployments = new OwnWrites<Deployment>();

  constructor(private readonly client: KeelsonClient, private readonly recorder: EventRecorder) {}

  async createReplicaSet(rs: ReplicaSet): Promise<ReplicaSet> {
    const created = await this.client.create(REPLICASETS, rs);
    this.replicaSets.remember(created);
    return created;
  }

  async getReplicaSet(namespace: string, name: string): Promise<ReplicaSet | undefined> {
    try {
      return await this.client.get<ReplicaSet>(REPLICASETS, namespace, name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet> {
    const updated = await this.client.update(REPLICASETS, rs);
    this.replicaSets.remember(updated);
    return updated;
  }

  async deleteReplicaSet(rs: ReplicaSet): Promise<void> {
    try {
      await this.client.delete(REPLICASETS, rs.metadata.namespace, rs.metadata.name!, { preconditions: { uid: rs.metadata.uid } });
    } catch (err) {
      // Already gone (a replayed event, or the garbage collector was first).
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  async updateDeploymentStatus(d: Deployment): Promise<Deployment> {
    const updated = await this.client.updateStatus(DEPLOYMENTS, d);
    this.deployments.remember(updated);
    return updated;
  }

  event(d: Deployment, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.recorder.event(d, type, reason, message);
  }

  latest(rs: ReplicaSet): ReplicaSet {
    return this.replicaSets.latest(rs);
  }
}
