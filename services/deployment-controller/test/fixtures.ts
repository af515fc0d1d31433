// Deployments, ReplicaSets and an in-memory DeploymentWriter for the unit tests.
import type { DeploymentWriter, SyncContext } from '../src/sync-context';
import type { Deployment, IntOrString, ReplicaSet } from '../src/types';

export function deployment(replicas: number, opts: { maxSurge?: IntOrString; maxUnavailable?: IntOrString; recreate?: boolean; generation?: number } = {}): Deployment {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'foo', namespace: 'default', uid: 'd-uid', generation: opts.generation ?? 1, resourceVersion: '1' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'foo' } },
      template: { metadata: { labels: { app: 'foo' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
      strategy: opts.recreate ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: opts.maxSurge ?? 0, maxUnavailable: opts.maxUnavailable ?? 0 } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {},
  };
}

export function rs(name: string, replicas: number, opts: { available?: number; created?: string; maxReplicas?: number; revision?: number } = {}): ReplicaSet {
  const annotations: Record<string, string> = {};
  if (opts.maxReplicas !== undefined) annotations['deployment.kubernetes.io/max-replicas'] = String(opts.maxReplicas);
  if (opts.revision !== undefined) annotations['deployment.kubernetes.io/revision'] = String(opts.revision);
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', uid: `${name}-uid`, creationTimestamp: opts.created ?? '2016-05-20T01:00:00Z', resourceVersion: '1', annotations, generation: 1 },
    spec: { replicas, template: { metadata: { labels: { app: 'foo', 'pod-template-hash': name } } } },
    status: { replicas, availableReplicas: opts.available ?? 0, observedGeneration: 1 },
  };
}

/** Records writes; updates answer the object with a bumped resourceVersion. */
export class FakeWriter implements DeploymentWriter {
  readonly updates: ReplicaSet[] = [];
  readonly created: ReplicaSet[] = [];
  readonly deleted: string[] = [];
  readonly statuses: Deployment[] = [];
  readonly events: string[] = [];
  existing = new Map<string, ReplicaSet>();
  private rv = 100;

  async createReplicaSet(r: ReplicaSet): Promise<ReplicaSet> {
    const out = { ...r, metadata: { ...r.metadata, uid: `${r.metadata.name}-uid`, resourceVersion: String(++this.rv), creationTimestamp: '2016-05-20T03:00:00Z' } };
    this.created.push(out);
    return out;
  }
  async getReplicaSet(_ns: string, name: string): Promise<ReplicaSet | undefined> {
    return this.existing.get(name);
  }
  async updateReplicaSet(r: ReplicaSet): Promise<ReplicaSet> {
    const out = { ...r, metadata: { ...r.metadata, resourceVersion: String(++this.rv) } };
    this.updates.push(out);
    return out;
  }
  async deleteReplicaSet(r: ReplicaSet): Promise<void> {
    this.deleted.push(r.metadata.name!);
  }
  async updateDeploymentStatus(d: Deployment): Promise<Deployment> {
    const out = { ...d, metadata: { ...d.metadata, resourceVersion: String(++this.rv) } };
    this.statuses.push(out);
    return out;
  }
  event(_d: Deployment, type: string, reason: string, message: string): void {
    this.events.push(`${type} ${reason} ${message}`);
  }
  latest(r: ReplicaSet): ReplicaSet {
    return r;
  }
}

export function context(d: Deployment, io = new FakeWriter(), now = new Date('2016-05-20T04:00:00Z')): { ctx: SyncContext; io: FakeWriter } {
  return { ctx: { io, d, now: () => now }, io };
}
