// metrics-server's storage: CPU is a rate between two cumulative samples, memory the latest
// working set; a series needs two points, a restarted container starts over; quantities print
// as resource.Quantity's canonical form.
import { MetricsStorage, type Summary } from '../src/storage';
import { cpuQuantity, goDuration, memoryQuantity } from '../src/quantity';

const T0 = Date.parse('2026-11-29T10:00:00Z');
const at = (ms: number): string => new Date(T0 + ms).toISOString();

function summary(ms: number, cpuNs: number, opts: { start?: string; mem?: number; nodeNs?: number } = {}): Summary {
  return {
    node: { nodeName: 'n1', startTime: at(0), cpu: { time: at(ms), usageCoreNanoSeconds: opts.nodeNs ?? cpuNs * 2 }, memory: { time: at(ms), workingSetBytes: 1 << 30 } },
    pods: [{ podRef: { name: 'p', namespace: 'ns' }, containers: [{ name: 'c', startTime: opts.start ?? at(0), cpu: { time: at(ms), usageCoreNanoSeconds: cpuNs }, memory: { time: at(ms), workingSetBytes: opts.mem ?? 5 * 1024 * 1024 } }] }],
  };
}

test('a pod is served from its second sample on, as the rate over the window', () => {
  const s = new MetricsStorage();
  s.store('n1', summary(0, 1e9));
  expect(s.pod('ns', 'p')).toBeUndefined();
  expect(s.node('n1')).toBeUndefined();
  s.store('n1', summary(10_000, 3e9)); // 2 s of CPU in 10 s: 200m
  expect(s.pod('ns', 'p')).toEqual({ timestamp: at(10_000), windowMs: 10_000, containers: [{ name: 'c', nanoCores: 2e8, memoryBytes: 5 * 1024 * 1024 }] });
  expect(s.node('n1')).toMatchObject({ nanoCores: 4e8, memoryBytes: 1 << 30, windowMs: 10_000 });
});

test('a restarted container, a repeated sample and a pod gone from its node', () => {
  const s = new MetricsStorage();
  s.store('n1', summary(0, 5e9));
  s.store('n1', summary(10_000, 1e8, { start: at(9_000) })); // restarted: its counter began again
  expect(s.pod('ns', 'p')).toBeUndefined();
  s.store('n1', summary(20_000, 1.1e9, { start: at(9_000) }));
  expect(s.pod('ns', 'p')?.containers[0].nanoCores).toBe(1e8);
  s.store('n1', summary(20_000, 1.1e9, { start: at(9_000) })); // the same sample again keeps the window
  expect(s.pod('ns', 'p')?.windowMs).toBe(10_000);
  s.store('n1', { node: summary(30_000, 0).node, pods: [] });
  expect(s.pod('ns', 'p')).toBeUndefined();
  s.forgetNode('n1');
  expect(s.node('n1')).toBeUndefined();
});

test('quantities as resource.Quantity prints them', () => {
  expect(cpuQuantity(2e8)).toBe('200m');
  expect(cpuQuantity(123456789)).toBe('123456789n');
  expect(cpuQuantity(2e9)).toBe('2');
  expect(cpuQuantity(1500)).toBe('1500n');
  expect(cpuQuantity(0)).toBe('0');
  expect(memoryQuantity(64 * 1024 * 1024)).toBe('64Mi');
  expect(memoryQuantity(5 * 1024 + 1)).toBe('5121');
  expect(memoryQuantity(3 * 1024)).toBe('3Ki');
  expect(goDuration(15_012)).toBe('15.012s');
  expect(goDuration(61_500)).toBe('1m1.5s');
});
