import { computePodStatus, podPhase, qosClass } from '../src/pod-status';
import type { ContainerStatus, Pod } from '../src/types';

const pod = (restartPolicy: 'Always' | 'OnFailure' | 'Never', names = ['a']): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u' },
  spec: { restartPolicy, containers: names.map((name) => ({ name, image: 'x', command: ['true'] })) },
});
const cs = (name: string, state: ContainerStatus['state'], extra: Partial<ContainerStatus> = {}): ContainerStatus => ({
  name, state, lastState: {}, ready: false, restartCount: 0, image: 'x', imageID: '', started: false, ...extra,
});
const running = (name: string, ready = true) => cs(name, { running: { startedAt: 't' } }, { ready, started: true });
const exited = (name: string, exitCode: number) => cs(name, { terminated: { exitCode, reason: exitCode ? 'Error' : 'Completed' } });

describe('pod phase (kubelet getPhase)', () => {
  test('Pending while a container waits without having run', () => {
    expect(podPhase(pod('Always'), [cs('a', { waiting: { reason: 'ContainerCreating' } })])).toBe('Pending');
    expect(podPhase(pod('Always'), [])).toBe('Pending');
  });
  test('Running while a container runs, or waits to restart after having run (CrashLoopBackOff)', () => {
    expect(podPhase(pod('Always'), [running('a')])).toBe('Running');
    const crashLooping = cs('a', { waiting: { reason: 'CrashLoopBackOff' } }, { lastState: { terminated: { exitCode: 1 } }, restartCount: 2 });
    expect(podPhase(pod('Always'), [crashLooping])).toBe('Running');
  });
  test('restartPolicy Never: Succeeded when all exit 0, Failed otherwise', () => {
    expect(podPhase(pod('Never', ['a', 'b']), [exited('a', 0), exited('b', 0)])).toBe('Succeeded');
    expect(podPhase(pod('Never', ['a', 'b']), [exited('a', 0), exited('b', 1)])).toBe('Failed');
  });
  test('restartPolicy OnFailure: Succeeded when all exit 0, else still Running (it restarts)', () => {
    expect(podPhase(pod('OnFailure'), [exited('a', 0)])).toBe('Succeeded');
    expect(podPhase(pod('OnFailure'), [exited('a', 1)])).toBe('Running');
  });
});

describe('pod conditions', () => {
  const inputs = { hostIP: '127.0.0.1', podIP: '127.0.0.1', startTime: 's', now: 'T1' };
  test('Ready and ContainersReady follow the containers, naming the unready ones', () => {
    const s = computePodStatus(pod('Always', ['a', 'b']), [running('a'), running('b', false)], inputs);
    const byType = Object.fromEntries(s.conditions.map((c) => [c.type, c]));
    expect(byType.PodScheduled.status).toBe('True');
    expect(byType.Initialized.status).toBe('True');
    expect(byType.ContainersReady).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [b]' });
    expect(byType.Ready.status).toBe('False');
    expect(s).toMatchObject({ phase: 'Running', hostIP: '127.0.0.1', podIP: '127.0.0.1', podIPs: [{ ip: '127.0.0.1' }], startTime: 's', qosClass: 'BestEffort' });
  });
  test('lastTransitionTime moves only when the status changes', () => {
    const first = computePodStatus(pod('Always'), [running('a', false)], inputs);
    const same = computePodStatus(pod('Always'), [running('a', false)], { ...inputs, now: 'T2', previous: first.conditions });
    expect(same.conditions.find((c) => c.type === 'Ready')!.lastTransitionTime).toBe('T1');
    const flipped = computePodStatus(pod('Always'), [running('a')], { ...inputs, now: 'T3', previous: same.conditions });
    expect(flipped.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', lastTransitionTime: 'T3' });
    expect(flipped.conditions.find((c) => c.type === 'PodScheduled')!.lastTransitionTime).toBe('T1');
  });
  test('a completed pod is not Ready, with reason PodCompleted', () => {
    const s = computePodStatus(pod('Never'), [exited('a', 0)], inputs);
    expect(s.phase).toBe('Succeeded');
    expect(s.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
  });
  test('QoS class from requests and limits', () => {
    const p = pod('Always');
    (p.spec.containers[0] as unknown as Record<string, unknown>).resources = { limits: { cpu: '1', memory: '1Gi' } };
    expect(qosClass(p)).toBe('Guaranteed');
    (p.spec.containers[0] as unknown as Record<string, unknown>).resources = { requests: { cpu: '1' } };
    expect(qosClass(p)).toBe('Burstable');
  });
});
