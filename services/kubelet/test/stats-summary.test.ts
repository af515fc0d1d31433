import { SummaryBuilder, syntheticUsage } from '../src/stats/summary';
import type { Pod } from '../src/types';

const startedAt = '2026-01-01T00:00:00.000Z';
const t0 = Date.parse(startedAt);
const pod = (name: string, containers: string[]): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}` },
  spec: { containers: containers.map((c) => ({ name: c, image: 'nginx' })) },
  status: {
    phase: 'Running', startTime: startedAt,
    containerStatuses: containers.map((c) => ({ name: c, state: { running: { startedAt } }, lastState: {}, ready: true, restartCount: 0, image: 'nginx', imageID: '', started: true })),
  },
});

describe('the Summary of a simulated node (synthetic load)', () => {
  // kubectl top rounds a rate up to the next millicore: a sample whose counter is read a few ms
  // after its timestamp made 75m show as 76m. The counter is the load at the sample's own time.
  test('each container’s counter is its load at the sample’s timestamp, so the rate between two samples is exact', async () => {
    const builder = new SummaryBuilder(syntheticUsage(75, 64 * 1024 * 1024));
    const pods = [pod('a', ['c1', 'c2'])];
    const first = await builder.build('sim-0', pods, t0 + 5_000);
    expect(first.pods[0].containers.map((c) => c.cpu.usageCoreNanoSeconds)).toEqual([375_000_000, 375_000_000]);
    expect(first.pods[0].cpu.usageCoreNanoSeconds).toBe(750_000_000);
    expect(first.pods[0].containers[0].cpu.time).toBe('2026-01-01T00:00:05.000Z');
    expect(first.pods[0].containers[0].cpu.usageNanoCores).toBeUndefined();

    const second = await builder.build('sim-0', pods, t0 + 6_003);
    const [c1, c2] = second.pods[0].containers;
    expect(c1.cpu.usageCoreNanoSeconds).toBe(450_225_000);
    expect(c1.cpu.usageNanoCores).toBe(75_000_000);
    expect(c2.cpu.usageNanoCores).toBe(75_000_000);
    expect(second.pods[0].cpu.usageNanoCores).toBe(150_000_000);
    expect(second.node.cpu.usageNanoCores).toBe(150_000_000);
    expect(c1.memory.workingSetBytes).toBe(64 * 1024 * 1024);
    expect(second.node.memory.workingSetBytes).toBe(128 * 1024 * 1024);
  });

  test('pods not Running are left out, and a container not yet started reports nothing', async () => {
    const builder = new SummaryBuilder(syntheticUsage(10, 1024));
    const pending: Pod = { ...pod('p', ['c']), status: { phase: 'Pending' } };
    const notStarted = pod('n', ['c']);
    notStarted.status!.containerStatuses![0].state = { waiting: { reason: 'ContainerCreating' } };
    const s = await builder.build('sim-0', [pending, notStarted, pod('r', ['c'])], t0 + 1_000);
    expect(s.pods.map((p) => p.podRef.name)).toEqual(['r']);
    expect(s.pods[0].containers[0].cpu.usageCoreNanoSeconds).toBe(10_000_000);
  });
});
