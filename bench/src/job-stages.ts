// Where a Job's time went, from the objects' own timestamps after the run: when its pod was
// created (job-controller), scheduled (scheduler), started and finished (kubelet), and when the
// Job turned Complete (job-controller again). Per stage: the second (since the first create) by
// which half and all of the Jobs had reached it, and the per-Job gap from the stage before
// (median, p90): the stage whose gap grows is the one that keeps the others waiting.
import { percentile, round } from './stats';

interface Meta { uid?: string; creationTimestamp?: string; ownerReferences?: { uid: string; controller?: boolean }[] }
export interface StageJob { metadata: Meta; status?: { completionTime?: string } }
export interface StagePod {
  metadata: Meta;
  status?: {
    conditions?: { type: string; status: string; lastTransitionTime?: string }[];
    containerStatuses?: { state?: { terminated?: { startedAt?: string; finishedAt?: string } } }[];
  };
}

export const STAGES = ['job created', 'pod created', 'pod scheduled', 'pod started', 'pod finished', 'job complete'] as const;

/** Seconds since `t0Ms` at which each Job reached each stage (NaN where it did not). */
export function jobStageTimes(jobs: StageJob[], pods: StagePod[], t0Ms: number): number[][] {
  const at = (s: string | undefined): number => (s ? (Date.parse(s) - t0Ms) / 1000 : NaN);
  const podOf = new Map<string, StagePod>();
  for (const p of pods) {
    const owner = p.metadata.ownerReferences?.find((r) => r.controller)?.uid;
    if (owner && !podOf.has(owner)) podOf.set(owner, p);
  }
  return jobs.map((j) => {
    const p = podOf.get(j.metadata.uid ?? '');
    const term = p?.status?.containerStatuses?.[0]?.state?.terminated;
    const scheduled = p?.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'True')?.lastTransitionTime;
    return [at(j.metadata.creationTimestamp), at(p?.metadata.creationTimestamp), at(scheduled), at(term?.startedAt), at(term?.finishedAt), at(j.status?.completionTime)];
  });
}

/** Table rows: stage, Jobs that reached it, s by which 50% / 100% had, per-Job gap from the previous stage (p50, p90). */
export function stageRows(times: number[][]): (string | number)[][] {
  return STAGES.map((stage, i) => {
    const reached = times.map((t) => t[i]).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
    const gaps = i === 0 ? [] : times.map((t) => t[i] - t[i - 1]).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
    const pct = (xs: number[], p: number): number | string => (xs.length ? round(percentile(xs, p), 1) : '-');
    return [stage, reached.length, pct(reached, 50), reached.length ? round(reached[reached.length - 1], 1) : '-', pct(gaps, 50), pct(gaps, 90)];
  });
}
