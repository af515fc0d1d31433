// syncCronJob (cronjob_controllerv2.go): reconcile status.active with the Jobs the CronJob
// controls, delete finished Jobs beyond the history limits, then, unless suspended, start the
// Job of the most recent unmet schedule time (honouring startingDeadlineSeconds and the
// concurrencyPolicy) and requeue for the next one. Events are named as upstream names them.
import { copyJson, getControllerOf, metaTime, newControllerRef } from '@keelson/api';
import { isAlreadyExists, isConflict, isNotFound, messageOf, type KeelsonClient } from '@keelson/client';
import { splitKey, type EventRecorder, type ReadOnlyCache, type ReconcileContext, type ReconcileResult, type Reconciler } from '@keelson/controller-runtime';
import { jobName, mostRecentScheduleTime, nextAfter, parseCronJobSchedule, rfc1123z, type ParsedSchedule, type ScheduleClock } from './schedule';
import { CRONJOB_KIND, CRONJOBS, JOBS, SCHEDULED_TIMESTAMP_ANNOTATION, type CronJob, type CronJobStatus, type Job, type ObjectReference } from './types';

/** A little past the next schedule time, so the sync sees it as due (nextScheduleTimeDuration's 100 ms). */
const NEXT_SCHEDULE_DELTA_MS = 100;

export interface CronJobReconcilerOptions {
  client: Pick<KeelsonClient, 'get' | 'create' | 'delete' | 'updateStatus'>;
  cronJobs: ReadOnlyCache<CronJob>;
  jobs: ReadOnlyCache<Job>;
  recorder: Pick<EventRecorder, 'event'>;
  clock: ScheduleClock;
  now?: () => number;
}

/** The Job's finished condition type (Complete or Failed), if any. */
export function finishedType(job: Job): 'Complete' | 'Failed' | undefined {
  const c = (job.status?.conditions ?? []).find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  return c?.type as 'Complete' | 'Failed' | undefined;
}

export class CronJobReconciler implements Reconciler {
  private readonly now: () => number;

  constructor(private readonly o: CronJobReconcilerOptions) {
    this.now = o.now ?? Date.now;
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    if (!this.o.cronJobs.getByName(namespace, name)) return;
    // The CronJob as stored, not as cached: a cache that has not yet seen the last status write
    // (active Jobs, lastScheduleTime) would let Forbid start a second Job, or start one twice.
    let cj: CronJob;
    try {
      cj = await this.o.client.get<CronJob>(CRONJOBS, namespace, name, { signal: ctx.signal });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const children = this.o.jobs.byOwnerUid(cj.metadata.uid!).filter((j) => getControllerOf(j)?.uid === cj.metadata.uid);
    const status: CronJobStatus = copyJson(cj.status ?? {});
    status.active = status.active ?? [];
    await this.syncActive(cj, children, status, ctx);

    let result: ReconcileResult | void = undefined;
    if (!cj.metadata.deletionTimestamp) result = await this.schedule(cj, status, ctx);
    if (ctx.signal.aborted) return;
    await this.writeStatus(cj, status, ctx);
    if (!cj.metadata.deletionTimestamp) await this.cleanupFinishedJobs(cj, children, status, ctx);
    return result;
  }

  /** The active list holds exactly the unfinished Jobs this CronJob started. */
  private async syncActive(cj: CronJob, children: Job[], status: CronJobStatus, ctx: ReconcileContext): Promise<void> {
    const { recorder } = this.o;
    const active = status.active!;
    const byUid = new Map(children.map((j) => [j.metadata.uid!, j]));
    for (const j of children) {
      const i = active.findIndex((r) => r.uid === j.metadata.uid);
      const done = finishedType(j);
      if (i < 0 && !done) {
        recorder.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
      } else if (i >= 0 && done) {
        active.splice(i, 1);
        recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, status: ${done}`);
      }
      if (done === 'Complete' && j.status?.completionTime) {
        const at = Date.parse(j.status.completionTime);
        if (!status.lastSuccessfulTime || at > Date.parse(status.lastSuccessfulTime)) status.lastSuccessfulTime = j.status.completionTime;
      }
    }
    // Active Jobs the cache does not hold: gone, unless the API still has them (a lagging cache).
    for (const ref of [...active]) {
      if (byUid.has(ref.uid!)) continue;
      try {
        const j = await this.o.client.get<Job>(JOBS, ref.namespace ?? cj.metadata.namespace, ref.name!, { signal: ctx.signal });
        if (j.metadata.uid === ref.uid) continue;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      active.splice(active.indexOf(ref), 1);
      recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
    }
  }

  /** Starts the Job of the most recent unmet schedule time; resolves to when to look again. */
  private async schedule(cj: CronJob, status: CronJobStatus, ctx: ReconcileContext): Promise<ReconcileResult | void> {
    const { recorder, clock } = this.o;
    const spec = cj.spec ?? {};
    if (spec.suspend) return;
    let parsed: ParsedSchedule;
    try {
      parsed = parseCronJobSchedule(spec.schedule ?? '', spec.timeZone);
      nextAfter(parsed, clock.toSchedule(this.now()));
    } catch (err) {
      if (spec.timeZone && /time ?zone|invalid|tz/i.test(messageOf(err))) recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(spec.timeZone)}: ${messageOf(err)}`);
      else recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(spec.schedule)} : ${messageOf(err)}`);
      return;
    }
    const now = clock.toSchedule(this.now());
    const lastSeen = Date.parse(status.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '');
    const earliest = clock.toSchedule(Number.isNaN(lastSeen) ? this.now() : lastSeen);
    const recent = mostRecentScheduleTime(parsed, earliest, now, spec.startingDeadlineSeconds);
    const requeue = { requeueAfter: Math.max(0, clock.toReal(recent.next) - this.now()) + NEXT_SCHEDULE_DELTA_MS };
    if (recent.tooMany) {
      recorder.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    }
    if (recent.time === undefined) return requeue;
    const scheduled = recent.time;
    const scheduledReal = clock.toReal(scheduled);
    const sds = spec.startingDeadlineSeconds;
    if (sds !== undefined && scheduled + sds * 1000 < now) {
      recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduledReal)}`);
      return requeue;
    }
    const name = jobName(cj.metadata.name!, scheduled);
    if (status.active!.some((r) => r.name === name)) return requeue; // already started this one
    const policy = spec.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid' && status.active!.length > 0) {
      // The run is not recorded: it still starts late if the active Job ends within the deadline.
      recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return requeue;
    }
    if (policy === 'Replace') {
      for (const ref of [...status.active!]) {
        try {
          await this.o.client.delete(JOBS, ref.namespace ?? cj.metadata.namespace, ref.name!, { propagationPolicy: 'Background', preconditions: { uid: ref.uid }, signal: ctx.signal });
          recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${ref.name}`);
        } catch (err) {
          if (!isNotFound(err)) {
            recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${messageOf(err)}`);
            throw err;
          }
        }
        status.active!.splice(status.active!.indexOf(ref), 1);
      }
    }
    let created: Job;
    try {
      created = await this.o.client.create<Job>(JOBS, this.jobFor(cj, name, scheduledReal, parsed.timeZone), { signal: ctx.signal });
      recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${name}`);
    } catch (err) {
      if (!isAlreadyExists(err)) {
        if (!ctx.signal.aborted) recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${messageOf(err)}`);
        throw err;
      }
      // Created by an earlier sync whose status write was lost: record it now.
      created = await this.o.client.get<Job>(JOBS, cj.metadata.namespace, name, { signal: ctx.signal });
      if (getControllerOf(created)?.uid !== cj.metadata.uid) return requeue;
      if (finishedType(created)) {
        status.lastScheduleTime = metaTime(scheduledReal);
        return requeue;
      }
    }
    const ref: ObjectReference = {
      kind: 'Job', namespace: created.metadata.namespace, name: created.metadata.name, uid: created.metadata.uid,
      apiVersion: 'batch/v1', resourceVersion: created.metadata.resourceVersion,
    };
    status.active!.push(ref);
    status.lastScheduleTime = metaTime(scheduledReal);
    return requeue;
  }

  /** getJobFromTemplate2: the jobTemplate, named for the schedule time, controlled by the CronJob. */
  private jobFor(cj: CronJob, name: string, scheduledReal: number, timeZone: string): Job {
    const tmpl = cj.spec?.jobTemplate ?? {};
    return {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: cj.metadata.namespace,
        labels: { ...(tmpl.metadata?.labels ?? {}) },
        annotations: { ...(tmpl.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: scheduledTimestamp(scheduledReal, timeZone) },
        ownerReferences: [newControllerRef(cj, CRONJOB_KIND)],
      },
      spec: copyJson(tmpl.spec ?? {}),
    };
  }

  /** cleanupFinishedJobs: keep the newest successfulJobsHistoryLimit / failedJobsHistoryLimit finished Jobs. */
  private async cleanupFinishedJobs(cj: CronJob, children: Job[], status: CronJobStatus, ctx: ReconcileContext): Promise<void> {
    const spec = cj.spec ?? {};
    const activeUids = new Set(status.active!.map((r) => r.uid));
    const finished = children.filter((j) => finishedType(j) && !activeUids.has(j.metadata.uid) && !j.metadata.deletionTimestamp);
    const older = (a: Job, b: Job): number => startOf(a) - startOf(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
    const excess = (type: 'Complete' | 'Failed', limit: number | undefined): Job[] => {
      if (limit === undefined || limit === null) return [];
      const of = finished.filter((j) => finishedType(j) === type).sort(older);
      return of.slice(0, Math.max(0, of.length - limit));
    };
    for (const j of [...excess('Complete', spec.successfulJobsHistoryLimit), ...excess('Failed', spec.failedJobsHistoryLimit)]) {
      try {
        await this.o.client.delete(JOBS, j.metadata.namespace, j.metadata.name!, { propagationPolicy: 'Background', preconditions: { uid: j.metadata.uid }, signal: ctx.signal });
        this.o.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata.name}`);
      } catch (err) {
        if (isNotFound(err)) continue;
        this.o.recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${messageOf(err)}`);
        throw err;
      }
    }
  }

  private async writeStatus(cj: CronJob, status: CronJobStatus, ctx: ReconcileContext): Promise<void> {
    const before = { active: cj.status?.active ?? [], lastScheduleTime: cj.status?.lastScheduleTime, lastSuccessfulTime: cj.status?.lastSuccessfulTime };
    const after = { active: status.active ?? [], lastScheduleTime: status.lastScheduleTime, lastSuccessfulTime: status.lastSuccessfulTime };
    if (JSON.stringify(before) === JSON.stringify(after)) return;
    const next: CronJobStatus = { ...status };
    if (!next.active?.length) delete next.active;
    try {
      await this.o.client.updateStatus(CRONJOBS, { ...cj, status: next }, { signal: ctx.signal });
    } catch (err) {
      if (isNotFound(err)) return;
      if (isConflict(err)) ctx.logger.info('cronjob status conflict; requeued');
      throw err;
    }
  }
}

/** Jobs sort by status.startTime (unset last), as byJobStartTime. */
function startOf(j: Job): number {
  const t = Date.parse(j.status?.startTime ?? '');
  return Number.isNaN(t) ? Number.MAX_SAFE_INTEGER : t;
}

/** RFC 3339 in the CronJob's zone (`2026-11-29T21:00:00+01:00`); UTC as `Z`. */
export function scheduledTimestamp(ms: number, timeZone: string): string {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return metaTime(ms);
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offsetMin = Math.round((local - Math.floor(ms / 1000) * 1000) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
