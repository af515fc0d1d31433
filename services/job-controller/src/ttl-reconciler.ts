// The TTL-after-finished controller (pkg/controller/ttlafterfinished): a finished Job with
// spec.ttlSecondsAfterFinished is deleted, with its pods (foreground), once that many seconds
// have passed since it finished. Before deleting, the Job is read fresh from the API: the TTL
// may have been changed or removed since the cache saw it.
import { isNotFound, type KeelsonClient } from '@keelson/client';
import { keyOf, splitKey, triggerMeta, type ControllerQueue, type ReadOnlyCache, type ReconcileContext, type ReconcileResult, type Reconciler, type ResourceEventHandler } from '@keelson/controller-runtime';
import { jobFinishedAt } from './pod-state';
import { JOBS, type Job } from './types';

/** Ms until the Job expires (≤ 0: now); undefined when it has no TTL, is not finished or is being deleted. */
export function timeLeftMs(job: Job, now: number): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null || job.metadata.deletionTimestamp) return undefined;
  const finishedAt = jobFinishedAt(job);
  if (finishedAt === undefined) return undefined;
  return finishedAt + ttl * 1000 - now;
}

/** Queues Jobs that need cleanup (needsCleanup): finished, with a TTL, not being deleted. */
export function ttlJobHandler(queue: ControllerQueue): ResourceEventHandler<Job> {
  const maybe = (job: Job, meta: ReturnType<typeof triggerMeta>): void => {
    if (timeLeftMs(job, Date.now()) !== undefined) queue.enqueue(keyOf(job), meta);
  };
  return {
    onAdd: (job, info) => maybe(job, triggerMeta(job, info)),
    onUpdate: (_old, job, info) => maybe(job, triggerMeta(job, info)),
    onDelete: () => undefined,
  };
}

export class TtlAfterFinishedReconciler implements Reconciler {
  constructor(
    private readonly client: Pick<KeelsonClient, 'get' | 'delete'>,
    private readonly jobs: ReadOnlyCache<Job>,
    private readonly now: () => number = Date.now,
  ) {}

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const cached = this.jobs.getByName(namespace, name);
    if (!cached) return;
    const left = timeLeftMs(cached, this.now());
    if (left === undefined) return;
    if (left > 0) return { requeueAfter: left };
    let fresh: Job;
    try {
      fresh = await this.client.get<Job>(JOBS, namespace, name, { signal: ctx.signal });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const freshLeft = timeLeftMs(fresh, this.now());
    if (freshLeft === undefined) return;
    if (freshLeft > 0) return { requeueAfter: freshLeft };
    ctx.logger.info('cleaning up Job: its TTL after finished expired', { ttlSecondsAfterFinished: fresh.spec?.ttlSecondsAfterFinished });
    try {
      await this.client.delete(JOBS, namespace, name, { propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata.uid, resourceVersion: fresh.metadata.resourceVersion }, signal: ctx.signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
