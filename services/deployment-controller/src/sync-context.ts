// What one reconcile of a Deployment works with: the Deployment as last written (status
// writes replace it), and the API writes it may make. Tests pass an in-memory fake.
import type { Deployment, ReplicaSet } from './types';
import { copyJson } from '@keelson/api';

export interface DeploymentWriter {
  createReplicaSet(rs: ReplicaSet): Promise<ReplicaSet>;
  /** A fresh read (after AlreadyExists), undefined when absent. */
  getReplicaSet(namespace: string, name: string): Promise<ReplicaSet | undefined>;
  /** PUT with the object's resourceVersion: a stale copy fails with 409 and the key is retried. */
  updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet>;
  deleteReplicaSet(rs: ReplicaSet): Promise<void>;
  /** PUT deployments/<name>/status (annotations ride along, spec and labels do not). */
  updateDeploymentStatus(d: Deployment): Promise<Deployment>;
  event(d: Deployment, type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** `rs` or this controller's own newer write of it (the cache may not have caught up). */
  latest(rs: ReplicaSet): ReplicaSet;
}

export interface SyncContext {
  io: DeploymentWriter;
  /** The Deployment, replaced by each status write's answer. */
  d: Deployment;
  now: () => Date;
}

export async function writeStatus(ctx: SyncContext, d: Deployment = ctx.d): Promise<void> {
  ctx.d = await ctx.io.updateDeploymentStatus(d);
}

/** A deep copy to change (cache objects are shared and never mutated). */
export const copy = <T>(o: T): T => copyJson(o);
