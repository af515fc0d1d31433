// The load the cluster carries while it is hit: ConfigMap writes (each acknowledged value
// recorded), Deployments created, scaled and rolled, and pods deleted at random.
import { Api, ApiError, sleep, type List } from './api';

export const NAMESPACE = 'chaos';
const DEPLOYMENTS = 3;
const CONFIGMAPS = 4;

/** One write attempt: its value, when it was sent, and whether (and when) it was acknowledged. */
export interface WriteRecord { key: string; value: number; sentAt: number; ackedAt?: number }

export interface WorkloadStats {
  writes: WriteRecord[];
  writeErrors: number;
  deploymentOps: number;
  podDeletes: number;
  opErrors: number;
  /** Failures by reason (status code or transport error), for the report. */
  errorReasons: Record<string, number>;
}

export class Workload {
  readonly stats: WorkloadStats = { writes: [], writeErrors: 0, deploymentOps: 0, podDeletes: 0, opErrors: 0, errorReasons: {} };
  private stopped = false;
  private loops: Promise<void>[] = [];
  /** Replicas each Deployment was last acknowledged with. */
  readonly replicas = new Map<string, number>();

  constructor(private readonly api: Api, private readonly rand: () => number = Math.random) {}

  async setup(): Promise<void> {
    await this.api.retrying('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }).catch(ignoreConflict);
    for (let i = 0; i < DEPLOYMENTS; i++) {
      const name = `web-${i}`;
      await this.api.retrying('POST', `/apis/apps/v1/namespaces/${NAMESPACE}/deployments`, deployment(name, 2, 0)).catch(ignoreConflict);
      this.replicas.set(name, 2);
    }
  }

  start(): void {
    for (let i = 0; i < CONFIGMAPS; i++) this.loops.push(this.writer(`cm-${i}`));
    this.loops.push(this.deployer());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private reason(what: string, err: unknown): void {
    const why = err instanceof ApiError ? `HTTP ${err.status} ${/"reason":"(\w+)"/.exec(err.body)?.[1] ?? ''}`.trim() : String((err as Error).message ?? err).slice(0, 60);
    const k = `${what}: ${why}`;
    this.stats.errorReasons[k] = (this.stats.errorReasons[k] ?? 0) + 1;
  }

  /** Sequential writes of increasing values to one ConfigMap; an unacknowledged write is retried as a new value. */
  private async writer(name: string): Promise<void> {
    let value = 0;
    let exists = false;
    while (!this.stopped) {
      value++;
      const rec: WriteRecord = { key: name, value, sentAt: Date.now() };
      this.stats.writes.push(rec);
      const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NAMESPACE }, data: { value: String(value) } };
      try {
        if (exists) await this.api.call('PUT', `/api/v1/namespaces/${NAMESPACE}/configmaps/${name}`, body);
        else await this.api.call('POST', `/api/v1/namespaces/${NAMESPACE}/configmaps`, body);
        rec.ackedAt = Date.now();
        exists = true;
      } catch (err) {
        this.stats.writeErrors++;
        this.reason(`write ${exists ? 'PUT' : 'POST'}`, err);
        if (err instanceof ApiError && err.status === 409) exists = true; // created by an unacknowledged attempt
        if (err instanceof ApiError && err.status === 404) exists = false;
        await sleep(100);
      }
      await sleep(50);
    }
  }

  private async deployer(): Promise<void> {
    let generation = 0;
    while (!this.stopped) {
      await sleep(1000 + this.rand() * 2000);
      const name = `web-${Math.floor(this.rand() * DEPLOYMENTS)}`;
      const op = this.rand();
      try {
        if (op < 0.35) {
          const replicas = 1 + Math.floor(this.rand() * 4);
          await this.api.call('PATCH', `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${name}`, { spec: { replicas } });
          this.replicas.set(name, replicas);
        } else if (op < 0.65) {
          generation++;
          await this.api.call('PATCH', `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${name}`, { spec: { template: { metadata: { annotations: { 'chaos/rollout': String(generation) } } } } });
        } else {
          const pods = await this.api.call<List>('GET', `/api/v1/namespaces/${NAMESPACE}/pods?labelSelector=app%3D${name}`);
          const live = pods.items.filter((p) => !p.metadata.deletionTimestamp);
          if (live.length) {
            const victim = live[Math.floor(this.rand() * live.length)];
            await this.api.call('DELETE', `/api/v1/namespaces/${NAMESPACE}/pods/${victim.metadata.name}`);
            this.stats.podDeletes++;
            continue;
          }
        }
        this.stats.deploymentOps++;
      } catch (err) {
        this.reason(op < 0.35 ? 'scale' : op < 0.65 ? 'rollout' : 'pod delete', err);
        // An unacknowledged scale may still have landed: the end check reads spec.replicas from the
        // Deployment itself and compares pods with that, so an unknown outcome is harmless.
        this.stats.opErrors++;
      }
    }
  }
}

function deployment(name: string, replicas: number, rollout: number): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, namespace: NAMESPACE },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: name }, annotations: { 'chaos/rollout': String(rollout) } },
        spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] },
      },
    },
  };
}

function ignoreConflict(err: unknown): void {
  if (err instanceof ApiError && err.status === 409) return;
  throw err;
}
