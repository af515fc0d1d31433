// Creating and deleting a DaemonSet's pods (syncNodes in daemon_controller.go) with expectations
// set before any call, slow-start batches for creates, and RealPodControl's Events.
import { isNotFound, messageOf, type KeelsonClient } from '@keelson/client';
import type { ControllerExpectations, EventRecorder } from '@keelson/controller-runtime';
import { newDaemonPod } from './daemon-pod';
import { PODS, type DaemonSet, type Pod } from './types';

/** Kubernetes' SlowStartInitialBatchSize. */
const SLOW_START_INITIAL_BATCH = 1;

export class SyncNodesError extends Error {
  constructor(readonly errors: unknown[]) {
    super(errors.map(messageOf).join('; '));
    this.name = 'SyncNodesError';
  }
}

export class DaemonPodControl {
  constructor(
    private readonly client: Pick<KeelsonClient, 'create' | 'delete'>,
    private readonly recorder: Pick<EventRecorder, 'event'>,
    private readonly expectations: ControllerExpectations,
    private readonly burst: number,
  ) {}

  /** syncNodes: deletes `deletions`, creates a pod for each of `nodes` (each list capped at the burst size). */
  async syncNodes(key: string, ds: DaemonSet, deletions: readonly Pod[], nodes: readonly string[], hash: string, signal?: AbortSignal): Promise<void> {
    const creates = nodes.slice(0, this.burst);
    const deletes = deletions.slice(0, this.burst);
    if (!creates.length && !deletes.length) return;
    const podKey = (p: Pod): string => `${p.metadata.namespace}/${p.metadata.name}`;
    // Expect everything before issuing anything: pod events may arrive before the calls return.
    this.expectations.expect(key, creates.length, deletes.map(podKey));
    const errors: unknown[] = [];

    let next = 0;
    for (let batch = Math.min(creates.length, SLOW_START_INITIAL_BATCH); batch > 0 && !errors.length; batch = Math.min(2 * batch, creates.length - next)) {
      const names = creates.slice(next, next + batch);
      next += batch;
      const results = await Promise.allSettled(names.map((n) => this.createPod(ds, n, hash, signal)));
      for (const r of results) if (r.status === 'rejected') errors.push(r.reason);
    }
    // Creates that failed or were never tried will not be observed.
    for (let i = next - errors.length; i < creates.length; i++) this.expectations.creationObserved(key);

    const results = await Promise.allSettled(deletes.map(async (pod) => {
      try {
        if (!(await this.deletePod(ds, pod, signal))) this.expectations.deletionObserved(key, podKey(pod));
      } catch (err) {
        this.expectations.deletionObserved(key, podKey(pod));
        throw err;
      }
    }));
    for (const r of results) if (r.status === 'rejected') errors.push(r.reason);
    if (errors.length) throw new SyncNodesError(errors);
  }

  private async createPod(ds: DaemonSet, nodeName: string, hash: string, signal?: AbortSignal): Promise<void> {
    try {
      const created = await this.client.create(PODS, newDaemonPod(ds, nodeName, hash), { signal });
      this.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
    } catch (err) {
      if (!signal?.aborted) this.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${messageOf(err)}`);
      throw err;
    }
  }

  /** False when the pod was already gone. */
  private async deletePod(ds: DaemonSet, pod: Pod, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.client.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid }, signal });
      this.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      if (!signal?.aborted) this.recorder.event(ds, 'Warning', 'FailedDelete', `Error deleting: ${messageOf(err)}`);
      throw err;
    }
  }
}
