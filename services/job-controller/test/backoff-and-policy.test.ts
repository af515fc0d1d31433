import { BackoffStore } from '../src/backoff';
import { matchPodFailurePolicy } from '../src/pod-failure-policy';
import type { Job, Pod } from '../src/types';

test('the failure back-off doubles from the base up to the cap, and a success resets it', () => {
  const b = new BackoffStore(10_000, 360_000);
  expect([1, 2, 3, 6, 7, 20].map((n) => b.delayMs(n))).toEqual([10_000, 20_000, 40_000, 320_000, 360_000, 360_000]);
  b.observe('ns/j', [{ succeeded: false, finishedAt: 1000 }, { succeeded: false, finishedAt: 2000 }]);
  expect(b.remainingMs('ns/j', 2000)).toBe(20_000);
  expect(b.remainingMs('ns/j', 30_000)).toBe(0);
  b.observe('ns/j', [{ succeeded: true, finishedAt: 3000 }]);
  expect(b.remainingMs('ns/j', 3000)).toBe(0);
});

const failedPod = (exitCode: number, conditions: { type: string; status: string }[] = []): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p-1', namespace: 'ns' },
  status: { phase: 'Failed', conditions, containerStatuses: [{ name: 'main', state: { terminated: { exitCode } } }] },
});
const jobWith = (rules: NonNullable<Job['spec']>['podFailurePolicy']): Job => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { podFailurePolicy: rules } });

test('podFailurePolicy: the first matching rule decides, with upstream messages', () => {
  const job = jobWith({ rules: [
    { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
    { action: 'Count', onExitCodes: { operator: 'NotIn', values: [42] } },
  ] });
  expect(matchPodFailurePolicy(job, failedPod(42))).toEqual({ action: 'FailJob', count: true, failJobMessage: 'Container main for pod ns/p-1 failed with exit code 42 matching FailJob rule at index 1' });
  expect(matchPodFailurePolicy(job, failedPod(1))).toEqual({ action: 'Count', count: true });
  expect(matchPodFailurePolicy(job, failedPod(42, [{ type: 'DisruptionTarget', status: 'True' }]))).toEqual({ action: 'Ignore', count: false });
  expect(matchPodFailurePolicy(jobWith(undefined), failedPod(1))).toEqual({ count: true });
});
