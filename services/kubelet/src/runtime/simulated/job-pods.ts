// KWOK's `pod-complete` stage for the simulated runtime: a pod controlled by a Job runs for a
// moment and its containers exit 0, so Jobs (and CronJobs) finish on simulated nodes; every
// other pod runs until it is stopped. `keelson.dev/simulated-exit-code` on the pod picks another
// exit code (a failing Job at scale); `keelson.dev/simulated-run-ms` how long it runs (default 100).
import type { Pod } from '../../types';

export const SIMULATED_EXIT_CODE_ANNOTATION = 'keelson.dev/simulated-exit-code';
export const SIMULATED_RUN_MS_ANNOTATION = 'keelson.dev/simulated-run-ms';
const DEFAULT_RUN_MS = 100;

/** How a simulated container of this pod ends on its own, or undefined when it runs until stopped. */
export function simulatedCompletion(pod: Pod): { afterMs: number; exitCode: number } | undefined {
  const ownedByJob = (pod.metadata.ownerReferences ?? []).some((r) => r.controller && r.kind === 'Job' && r.apiVersion.startsWith('batch/'));
  const annotations = pod.metadata.annotations ?? {};
  const code = annotations[SIMULATED_EXIT_CODE_ANNOTATION];
  if (!ownedByJob && code === undefined) return undefined;
  const exitCode = code !== undefined && /^\d{1,3}$/.test(code) ? Number(code) : 0;
  const ms = Number(annotations[SIMULATED_RUN_MS_ANNOTATION]);
  return { afterMs: Number.isFinite(ms) && ms >= 0 ? ms : DEFAULT_RUN_MS, exitCode };
}
