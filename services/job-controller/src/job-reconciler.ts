// syncJob (job_controller.go), level-based: claim the Job's pods, count the finished ones exactly
// once through status.uncountedTerminatedPods and the tracking finalizer, decide whether the Job
// succeeded or failed (backoffLimit, activeDeadlineSeconds, podFailurePolicy), create or delete
// pods towards parallelism and completions (with failure back-off), then write status.
//
// Counting (trackJobStatusAndRemoveFinalizers): a finished pod that still carries the finalizer
// is first written into uncountedTerminatedPods (or, Indexed and succeeded, straight into
// completedIndexes); only then is its finalizer removed; only then does it move from the
// uncounted lists into succeeded/failed. A controller that dies between any two steps finds the
// pod again in the next sync (still with the finalizer, or listed as uncounted without it), so
// no pod is counted twice or lost.
import { copyJson, labelSelectorFromObject, metaTime } from '@keelson/api';
import { isConflict, isNotFound, messageOf, type KeelsonClient } from '@keelson/client';
import { ControllerRefManager, splitKey, type EventRecorder, type ReadOnlyCache, type ReconcileContext, type ReconcileResult, type Reconciler } from '@keelson/controller-runtime';
import type { BackoffStore, FinishedPod } from './backoff';
import type { JobExpectations } from './expectations';
import { completionIndexOf, formatIndexes, indexesToCreate, parseIndexes, podsWithBadIndex } from './indexed';
import type { OrphanPods } from './orphan-pods';
import { matchPodFailurePolicy } from './pod-failure-policy';
import type { PodControl } from './pod-control';
import {
  finishedCondition, findCondition, hasTrackingFinalizer, isPodActive, isPodFailed, isPodReady, isPodSucceeded, isPodTerminal,
  isPodTerminating, onlyReplaceFailedPods, podFinishedAt, podRestarts, setCondition,
} from './pod-state';
import { JOB_CONTROLLER_NAME, JOBS, POD_CLAIMS, type Job, type JobCondition, type JobStatus, type Pod } from './types';

/** Keys of this prefix name a pod (`orphan:<ns>/<pod>`) whose tracking finalizer may have to go. */
export const ORPHAN_PREFIX = 'orphan:';

export const REASON = {
  backoffLimit: 'BackoffLimitExceeded',
  deadline: 'DeadlineExceeded',
  podFailurePolicy: 'PodFailurePolicy',
  completions: 'CompletionsReached',
} as const;
export const MESSAGE = {
  backoffLimit: 'Job has reached the specified backoff limit',
  deadline: 'Job was active longer than specified deadline',
  completions: 'Reached expected number of succeeded pods',
} as const;

export interface JobReconcilerOptions {
  client: Pick<KeelsonClient, 'get' | 'patch' | 'updateStatus'>;
  jobs: ReadOnlyCache<Job>;
  pods: ReadOnlyCache<Pod>;
  expectations: JobExpectations;
  backoff: BackoffStore;
  podControl: PodControl;
  recorder: Pick<EventRecorder, 'event'>;
  burst?: number;
  now?: () => number;
  /** The pods without a controller (orphan-pods.ts); without it every sync scans the namespace's pods. */
  orphans?: Pick<OrphanPods, 'matching'>;
}

/** Creates in batches of 1, 2, 4, … stopping at the first failure (slowStartBatch). */
async function slowStart(count: number, fn: (i: number) => Promise<unknown>): Promise<{ successes: number; error?: unknown }> {
  let done = 0;
  for (let batch = 1; done < count; batch *= 2) {
    const n = Math.min(batch, count - done);
    const results = await Promise.allSettled(Array.from({ length: n }, (_, j) => fn(done + j)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    done += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { successes: done, error: failed.reason };
  }
  return { successes: done };
}

/** Which active pods to delete first: unscheduled, then not ready, then the newest. */
function deletionOrder(a: Pod, b: Pod): number {
  const rank = (p: Pod): number => (!p.spec?.nodeName ? 0 : !isPodReady(p) ? 1 : 2);
  return rank(a) - rank(b) || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '');
}

/** True when `a` is a later version of the same object than `b` (resourceVersions are store revisions). */
function newerThan(a: Job, b: Job): boolean {
  if (a.metadata.uid !== b.metadata.uid) return false;
  const ra = Number(a.metadata.resourceVersion);
  const rb = Number(b.metadata.resourceVersion);
  return Number.isFinite(ra) && Number.isFinite(rb) && ra > rb;
}

export class JobReconciler implements Reconciler {
  private readonly now: () => number;
  /**
   * The Job as this controller's last status write returned it, until the cache shows that
   * version: a sync that runs before the echo arrives starts from what was written, not from an
   * older status. (Its pods' cache may already show their finalizers gone: from the older
   * status such a pod was neither counted nor active, and the Job got a second pod.)
   */
  private readonly written = new Map<string, Job>();

  constructor(private readonly o: JobReconcilerOptions) {
    this.now = o.now ?? Date.now;
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    if (key.startsWith(ORPHAN_PREFIX)) return this.cleanupOrphan(key.slice(ORPHAN_PREFIX.length), ctx);
    const { expectations } = this.o;
    // Read before the caches: if pod events fulfil the expectations meanwhile, the pods are in the cache.
    const mayManage = expectations.satisfied(key);
    const { namespace, name } = splitKey(key);
    const job = this.latest(key, this.o.jobs.getByName(namespace, name));
    if (!job) {
      expectations.delete(key);
      this.o.backoff.delete(key);
      return;
    }
    const managedBy = job.spec?.managedBy;
    if (managedBy && managedBy !== JOB_CONTROLLER_NAME) return; // another controller's Job
    const selector = labelSelectorFromObject(job.spec?.selector);
    if (selector.isEmpty()) return;
    const claims = new ControllerRefManager<Job, Pod>({ client: this.o.client, controller: job, selector, ...POD_CLAIMS });
    const pods = await claims.claim(this.candidatePods(job), ctx.signal);
    if (ctx.signal.aborted) return;

    // A finished or deleted Job counts nothing more: its pods only lose the finalizer.
    if (finishedCondition(job) || job.metadata.deletionTimestamp) {
      const { error } = await this.removeFinalizers(key, pods.filter(hasTrackingFinalizer), ctx);
      this.o.backoff.delete(key);
      if (error) throw error;
      return;
    }
    return this.sync(key, job, pods, mayManage, ctx);
  }

  /** The cached Job, or the one the last status write returned when the cache has not caught up yet. */
  private latest(key: string, cached: Job | undefined): Job | undefined {
    const written = this.written.get(key);
    if (!cached || !written || !newerThan(written, cached)) {
      this.written.delete(key);
      return cached;
    }
    return written;
  }

  /** The Job's pods and the orphans it could adopt. */
  private candidatePods(job: Job): Pod[] {
    const byName = new Map<string, Pod>();
    for (const p of this.o.pods.byOwnerUid(job.metadata.uid!)) byName.set(p.metadata.name!, p);
    const adoptable = this.o.orphans
      ? this.o.orphans.matching(job.metadata.namespace ?? '', job.spec?.selector)
      : this.o.pods.bySelector(job.spec?.selector, job.metadata.namespace);
    for (const p of adoptable) byName.set(p.metadata.name!, p);
    return [...byName.values()];
  }

  private async sync(key: string, job: Job, pods: Pod[], mayManage: boolean, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const { expectations, backoff, recorder } = this.o;
    const now = this.now();
    const nowStr = metaTime(now);
    const spec = job.spec ?? {};
    const indexed = spec.completionMode === 'Indexed';
    const completions = spec.completions ?? undefined;
    const old = job.status ?? {};
    const status: JobStatus = copyJson(old);
    let conditions = status.conditions ?? [];

    // --- Observe: which finished pods are new, which uncounted ones can be counted now.
    const uncountedSucceeded = new Set(old.uncountedTerminatedPods?.succeeded ?? []);
    const uncountedFailed = new Set(old.uncountedTerminatedPods?.failed ?? []);
    const succeededIndexes = indexed ? parseIndexes(old.completedIndexes, completions ?? 0) : new Set<number>();
    let targetCond = findCondition(job, 'FailureTarget') ?? findCondition(job, 'SuccessCriteriaMet');
    const failing = (): boolean => targetCond?.type === 'FailureTarget';
    const toRemove: Pod[] = [];
    const newlyFinished: FinishedPod[] = [];
    let failJobMessage: string | undefined;
    for (const pod of pods) {
      const uid = pod.metadata.uid!;
      if (!hasTrackingFinalizer(pod) || expectations.finalizerRemovalPending(key, uid)) continue;
      if (uncountedSucceeded.has(uid) || uncountedFailed.has(uid)) {
        toRemove.push(pod); // recorded earlier; the finalizer removal did not happen or was not seen
        continue;
      }
      if (isPodSucceeded(pod)) {
        if (indexed) {
          const ix = completionIndexOf(pod);
          if (ix !== undefined && ix < (completions ?? 0) && !succeededIndexes.has(ix)) {
            succeededIndexes.add(ix);
            newlyFinished.push({ succeeded: true, finishedAt: podFinishedAt(pod, now) });
          }
        } else {
          uncountedSucceeded.add(uid);
          newlyFinished.push({ succeeded: true, finishedAt: podFinishedAt(pod, now) });
        }
        toRemove.push(pod);
      } else if (isPodFailed(pod, job) || (failing() && (isPodTerminal(pod) || !!pod.metadata.deletionTimestamp))) {
        const match = pod.status?.phase === 'Failed' ? matchPodFailurePolicy(job, pod) : { count: true };
        if (match.failJobMessage) failJobMessage ??= match.failJobMessage;
        if (match.count) {
          uncountedFailed.add(uid);
          newlyFinished.push({ succeeded: false, finishedAt: podFinishedAt(pod, now) });
        }
        toRemove.push(pod);
      } else if (targetCond && isPodTerminal(pod)) {
        toRemove.push(pod); // terminal but not counted (a Failed pod while only Failed ones count is above)
      }
    }
    backoff.observe(key, newlyFinished);

    // Uncounted pods whose finalizer is already gone (removed by an earlier sync, or the pod is
    // gone): they can be counted now.
    const byUid = new Map(pods.map((p) => [p.metadata.uid!, p]));
    const countable = (uid: string): boolean => {
      const p = byUid.get(uid);
      return !p || (!hasTrackingFinalizer(p) && !expectations.finalizerRemovalPending(key, uid));
    };

    const active = pods.filter(isPodActive);
    const terminating = pods.filter(isPodTerminating).length;
    const counted = (): { succeeded: number; failed: number } => ({
      succeeded: indexed ? succeededIndexes.size : (status.succeeded ?? 0) + uncountedSucceeded.size,
      failed: (status.failed ?? 0) + uncountedFailed.size,
    });

    // --- Decide: failure or success criteria (FailureTarget / SuccessCriteriaMet first, as 1.32).
    const suspended = spec.suspend === true;
    if (!targetCond) {
      const { succeeded, failed } = counted();
      const restarts = spec.template?.spec?.restartPolicy === 'OnFailure' ? active.reduce((n, p) => n + podRestarts(p), 0) : 0;
      const start = Date.parse(status.startTime ?? '');
      const deadline = spec.activeDeadlineSeconds;
      let target: Omit<JobCondition, 'lastProbeTime' | 'lastTransitionTime'> | undefined;
      if (failJobMessage) target = { type: 'FailureTarget', status: 'True', reason: REASON.podFailurePolicy, message: failJobMessage };
      else if (failed + restarts > (spec.backoffLimit ?? 6)) target = { type: 'FailureTarget', status: 'True', reason: REASON.backoffLimit, message: MESSAGE.backoffLimit };
      else if (!suspended && deadline !== undefined && !Number.isNaN(start) && now - start >= deadline * 1000) {
        target = { type: 'FailureTarget', status: 'True', reason: REASON.deadline, message: MESSAGE.deadline };
      } else {
        const done = indexed ? succeeded >= (completions ?? 0)
          : completions != null ? succeeded >= completions
          : succeeded > 0 && active.length === 0;
        if (done) target = { type: 'SuccessCriteriaMet', status: 'True', reason: REASON.completions, message: MESSAGE.completions };
      }
      if (target) {
        conditions = setCondition(conditions, target, nowStr);
        targetCond = conditions.find((c) => c.type === target!.type);
      }
    }

    // --- Act: stop everything when finishing or suspended, else create/delete towards the goal.
    let requeueAfter: number | undefined;
    let manageError: unknown;
    if (targetCond || suspended) {
      if (active.length) {
        const victims = active;
        expectations.expect(key, 0, victims.map((p) => p.metadata.uid!));
        await this.deletePods(key, job, victims, ctx).catch((err: unknown) => (manageError = err));
      }
      if (suspended && !targetCond) {
        const before = findCondition(job, 'Suspended');
        conditions = setCondition(conditions, { type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended' }, nowStr);
        if (!before) recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
      }
    } else {
      if (findCondition(job, 'Suspended')) {
        conditions = setCondition(conditions, { type: 'Suspended', status: 'False', reason: 'JobResumed', message: 'Job resumed' }, nowStr);
        recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
        status.startTime = nowStr; // the deadline counts from the resume
      }
      status.startTime ??= nowStr;
      if (mayManage) {
        const r = await this.manage(key, job, active, terminating, { succeededIndexes, succeeded: counted().succeeded }, ctx);
        requeueAfter = r.requeueAfter;
        manageError = r.error;
      }
      const deadline = spec.activeDeadlineSeconds;
      if (deadline !== undefined) {
        const left = Date.parse(status.startTime) + deadline * 1000 - now;
        requeueAfter = Math.min(requeueAfter ?? Infinity, Math.max(left, 0) + 10);
      }
    }
    if (ctx.signal.aborted) return;

    // --- Record: new finished pods first, then drop their finalizers, then count them.
    status.conditions = conditions;
    // Pods created but not in the cache yet are active too (manageJob's `active += diff`): the
    // first sync's status write says active 1, and the pod's arrival needs no second write.
    const unseen = expectations.satisfied(key) ? 0 : Math.max(0, expectations.pending(key)?.adds ?? 0);
    status.active = targetCond || suspended ? 0 : active.length + unseen;
    status.ready = targetCond || suspended ? 0 : active.filter(isPodReady).length;
    status.terminating = terminating;
    if (indexed) {
      status.completedIndexes = formatIndexes(succeededIndexes);
      status.succeeded = succeededIndexes.size;
    }
    status.uncountedTerminatedPods = uncountedOf(uncountedSucceeded, uncountedFailed);
    let current = await this.writeStatus(job, status, ctx);
    if (!current) return;

    const removal = await this.removeFinalizers(key, toRemove, ctx);
    if (ctx.signal.aborted) return;
    for (const uid of [...uncountedSucceeded]) if (removal.done.has(uid) || countable(uid)) {
      uncountedSucceeded.delete(uid);
      status.succeeded = (status.succeeded ?? 0) + 1;
    }
    for (const uid of [...uncountedFailed]) if (removal.done.has(uid) || countable(uid)) {
      uncountedFailed.delete(uid);
      status.failed = (status.failed ?? 0) + 1;
    }
    manageError ??= removal.error;
    status.uncountedTerminatedPods = uncountedOf(uncountedSucceeded, uncountedFailed);

    // --- Finish: Complete / Failed once no pod is left running and every pod is counted.
    const allCounted = uncountedSucceeded.size === 0 && uncountedFailed.size === 0;
    const stillRunning = pods.some((p) => !isPodTerminal(p) && (p.metadata.deletionTimestamp || isPodActive(p)));
    if (targetCond && allCounted && !stillRunning && terminating === 0) {
      if (targetCond.type === 'SuccessCriteriaMet') {
        status.conditions = setCondition(status.conditions ?? [], { type: 'Complete', status: 'True', reason: targetCond.reason, message: targetCond.message }, nowStr);
        status.completionTime = nowStr;
        recorder.event(job, 'Normal', 'Completed', 'Job completed');
      } else {
        status.conditions = setCondition(status.conditions ?? [], { type: 'Failed', status: 'True', reason: targetCond.reason, message: targetCond.message }, nowStr);
        recorder.event(job, 'Warning', targetCond.reason ?? 'Failed', targetCond.message ?? '');
      }
      status.active = 0;
      status.ready = 0;
    }
    current = await this.writeStatus(current, status, ctx);
    if (!current) return;
    if (manageError) throw manageError;
    if (targetCond && !finishedCondition(current)) return { requeueAfter: 1000 }; // pods still going away
    if (!mayManage) requeueAfter = Math.min(requeueAfter ?? Infinity, expectations.expiresInMs(key) + 1000);
    return requeueAfter !== undefined && Number.isFinite(requeueAfter) ? { requeueAfter } : undefined;
  }

  /** manageJob: create or delete pods towards min(parallelism, what is left to complete). */
  private async manage(
    key: string, job: Job, active: Pod[], terminating: number,
    done: { succeededIndexes: Set<number>; succeeded: number }, ctx: ReconcileContext,
  ): Promise<{ requeueAfter?: number; error?: unknown }> {
    const { expectations, backoff, podControl } = this.o;
    const spec = job.spec ?? {};
    const parallelism = spec.parallelism ?? 1;
    const burst = this.o.burst ?? 500;
    const indexed = spec.completionMode === 'Indexed';
    const completions = spec.completions ?? undefined;
    let wantActive: number;
    if (completions == null) wantActive = done.succeeded > 0 ? active.length : parallelism;
    else wantActive = Math.max(0, Math.min(parallelism, completions - done.succeeded));

    // Indexed: pods for a finished, duplicate or invalid index go first, whatever the count.
    const bad = indexed ? podsWithBadIndex(active, completions ?? 0, done.succeededIndexes) : [];
    const good = active.filter((p) => !bad.includes(p));
    const excess = Math.max(0, good.length - wantActive);
    const victims = [...bad, ...[...good].sort(deletionOrder).slice(0, excess)].slice(0, burst);
    if (victims.length) {
      expectations.expect(key, 0, victims.map((p) => p.metadata.uid!));
      ctx.logger.info('too many active pods', { want: wantActive, deleting: victims.length });
      try {
        await this.deletePods(key, job, victims, ctx);
      } catch (error) {
        return { error };
      }
      return {};
    }

    const replacementsWait = onlyReplaceFailedPods(job) ? terminating : 0;
    let diff = Math.min(wantActive - good.length - replacementsWait, burst);
    if (diff <= 0) return {};
    const wait = backoff.remainingMs(key, this.now());
    if (wait > 0) return { requeueAfter: wait };
    let indexes: (number | undefined)[] = [];
    if (indexed) {
      const activeIx = new Set(good.map(completionIndexOf).filter((i): i is number => i !== undefined));
      indexes = indexesToCreate(diff, completions ?? 0, done.succeededIndexes, activeIx);
      diff = indexes.length;
      if (!diff) return {};
    }
    expectations.expect(key, diff, []);
    ctx.logger.info('too few active pods', { want: wantActive, creating: diff });
    const { successes, error } = await slowStart(diff, async (i) => {
      await podControl.createPod(job, indexed ? indexes[i] : undefined, ctx.signal);
    });
    // Creates that failed or were never tried will not be observed: stop expecting them. A create
    // cut short by a lost lease may still have landed: it stays expected (observed or expired),
    // so the next term cannot create the same pod twice.
    if (!ctx.signal.aborted) for (let i = successes; i < diff; i++) expectations.creationObserved(key);
    return { error };
  }

  private async deletePods(key: string, job: Job, victims: Pod[], ctx: ReconcileContext): Promise<void> {
    const results = await Promise.allSettled(victims.map(async (pod) => {
      try {
        if (!(await this.o.podControl.deletePod(job, pod, ctx.signal))) this.o.expectations.deletionObserved(key, pod.metadata.uid!);
      } catch (err) {
        this.o.expectations.deletionObserved(key, pod.metadata.uid!);
        throw err;
      }
    }));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * Removes the tracking finalizer of each pod, expecting the cache to show it; resolves to the
   * uids whose finalizer is gone now and the first failure.
   */
  private async removeFinalizers(key: string, pods: Pod[], ctx: ReconcileContext): Promise<{ done: Set<string>; error?: unknown }> {
    const { expectations, podControl } = this.o;
    const done = new Set<string>();
    let error: unknown;
    await Promise.all(pods.map(async (pod) => {
      const uid = pod.metadata.uid!;
      expectations.expectFinalizerRemoved(key, uid);
      try {
        await podControl.removeTrackingFinalizer(pod, ctx.signal);
        done.add(uid);
      } catch (err) {
        expectations.finalizerRemovalObserved(key, uid);
        error ??= err;
      }
    }));
    return { done, error };
  }

  /** A pod with the finalizer whose Job is gone or finished: nothing will count it any more. */
  private async cleanupOrphan(podKey: string, ctx: ReconcileContext): Promise<void> {
    const { namespace, name } = splitKey(podKey);
    const pod = this.o.pods.getByName(namespace, name);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const ref = pod.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'Job' && r.apiVersion.startsWith('batch/'));
    if (ref) {
      let job = this.o.jobs.getByName(namespace, ref.name);
      if (!job || job.metadata.uid !== ref.uid) {
        // The cache may lag a Job created a moment ago: ask the API before giving up on it.
        job = await this.o.client.get<Job>(JOBS, namespace, ref.name, { signal: ctx.signal }).catch((err: unknown) => {
          if (isNotFound(err)) return undefined;
          throw err;
        });
      }
      if (job && job.metadata.uid === ref.uid && !finishedCondition(job) && !job.metadata.deletionTimestamp) {
        ctx.enqueue(`${namespace}/${ref.name}`); // its Job will count it
        return;
      }
    }
    await this.o.podControl.removeTrackingFinalizer(pod, ctx.signal);
  }

  /** PUT status when it changed; resolves to the stored Job (undefined when it is gone). */
  private async writeStatus(job: Job, status: JobStatus, ctx: ReconcileContext): Promise<Job | undefined> {
    if (JSON.stringify(normalize(job.status)) === JSON.stringify(normalize(status))) return job;
    try {
      const updated = await this.o.client.updateStatus<Job>(JOBS, { ...job, status: copyJson(status) }, { signal: ctx.signal });
      this.written.set(keyOfJob(updated), updated);
      return updated;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      if (isConflict(err)) ctx.logger.debug?.('job status conflict; requeued', { err: messageOf(err) });
      throw err;
    }
  }
}

function keyOfJob(job: Job): string {
  return `${job.metadata.namespace}/${job.metadata.name}`;
}

function uncountedOf(succeeded: Set<string>, failed: Set<string>): JobStatus['uncountedTerminatedPods'] {
  const out: NonNullable<JobStatus['uncountedTerminatedPods']> = {};
  if (succeeded.size) out.succeeded = [...succeeded];
  if (failed.size) out.failed = [...failed];
  return out;
}

/** Status as compared for "changed": absent zero counters equal explicit ones. */
function normalize(s: JobStatus | undefined): JobStatus {
  const n: JobStatus = { ...(s ?? {}) };
  for (const k of ['active', 'succeeded', 'failed', 'ready', 'terminating'] as const) n[k] = n[k] ?? 0;
  n.uncountedTerminatedPods = { ...(n.uncountedTerminatedPods ?? {}) };
  n.conditions = n.conditions ?? [];
  if (!n.completedIndexes) delete n.completedIndexes;
  const ordered: Record<string, unknown> = {};
  for (const k of Object.keys(n).sort()) ordered[k] = (n as Record<string, unknown>)[k];
  return ordered as JobStatus;
}
