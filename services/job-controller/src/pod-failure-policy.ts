// spec.podFailurePolicy (pod_failure_policy.go): the first rule a failed pod matches decides
// whether it fails the Job, is ignored (not counted against backoffLimit), or is counted.
import type { ContainerStatus, Job, Pod, PodFailurePolicyRule } from './types';

export interface PolicyMatch {
  /** The rule's action, undefined when no rule matched (the failure counts). */
  action?: PodFailurePolicyRule['action'];
  /** Counted against backoffLimit (false for Ignore). */
  count: boolean;
  /** With FailJob: the Job's failure message. */
  failJobMessage?: string;
}

function matchingContainer(statuses: ContainerStatus[] | undefined, req: NonNullable<PodFailurePolicyRule['onExitCodes']>): ContainerStatus | undefined {
  for (const cs of statuses ?? []) {
    const exit = cs.state?.terminated?.exitCode;
    // A container still terminating has no exit code to match; exit 0 never matches.
    if (exit === undefined || exit === 0) continue;
    if (req.containerName !== undefined && req.containerName !== cs.name) continue;
    const listed = req.values.includes(exit);
    if (req.operator === 'In' ? listed : req.operator === 'NotIn' ? !listed : false) return cs;
  }
  return undefined;
}

export function matchPodFailurePolicy(job: Job, pod: Pod): PolicyMatch {
  const rules = job.spec?.podFailurePolicy?.rules;
  if (!rules) return { count: true };
  const where = `${pod.metadata.namespace}/${pod.metadata.name}`;
  for (const [index, rule] of rules.entries()) {
    let failJobMessage: string | undefined;
    if (rule.onExitCodes) {
      const cs = matchingContainer(pod.status?.containerStatuses, rule.onExitCodes) ?? matchingContainer(pod.status?.initContainerStatuses, rule.onExitCodes);
      if (!cs) continue;
      failJobMessage = `Container ${cs.name} for pod ${where} failed with exit code ${cs.state?.terminated?.exitCode} matching ${rule.action} rule at index ${index}`;
    } else if (rule.onPodConditions) {
      const cond = (pod.status?.conditions ?? []).find((c) => rule.onPodConditions!.some((p) => p.type === c.type && (p.status ?? 'True') === c.status));
      if (!cond) continue;
      failJobMessage = `Pod ${where} has condition ${cond.type} matching ${rule.action} rule at index ${index}`;
    } else continue;
    switch (rule.action) {
      case 'Ignore': return { action: 'Ignore', count: false };
      case 'Count': return { action: 'Count', count: true };
      case 'FailJob': return { action: 'FailJob', count: true, failJobMessage };
      default: continue; // FailIndex needs backoffLimitPerIndex, which Keelson does not run
    }
  }
  return { count: true };
}
