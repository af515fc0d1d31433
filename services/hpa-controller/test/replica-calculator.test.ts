import { DEFAULT_CALC, MetricCalcError, replicasForAverageValue, resourceReplicasForUtilization, type CalcOptions, type CalcPod, type PodMetric } from '../src/replica-calculator';

const NOW = Date.parse('2024-01-01T01:00:00Z');
const o: CalcOptions = { ...DEFAULT_CALC, now: NOW };
const LONG_AGO = NOW - 3_600_000;

function pod(name: string, x: Partial<CalcPod> = {}): CalcPod {
  return { name, phase: 'Running', startTime: LONG_AGO, ready: { status: 'True', lastTransitionTime: LONG_AGO + 5_000 }, request: 1000, ...x };
}
function metrics(entries: Record<string, number>, timestamp = NOW - 10_000): Map<string, PodMetric> {
  return new Map(Object.entries(entries).map(([n, v]) => [n, { value: v, timestamp, windowMs: 30_000 }]));
}

describe('resource Utilization replicas', () => {
  test('scales up by ceil(current × usage/target)', () => {
    // 3 pods at 90% of a 1-cpu request, target 50%: ratio 1.8, ceil(5.4) = 6.
    const r = resourceReplicasForUtilization(3, 50, 'cpu', [pod('a'), pod('b'), pod('c')], metrics({ a: 900, b: 900, c: 900 }), o);
    expect(r).toEqual({ replicas: 6, utilization: 90, rawAverage: 900 });
  });

  test('scales down', () => {
    const r = resourceReplicasForUtilization(4, 50, 'cpu', [pod('a'), pod('b'), pod('c'), pod('d')], metrics({ a: 100, b: 100, c: 100, d: 100 }), o);
    expect(r.replicas).toBe(1);
    expect(r.utilization).toBe(10);
  });

  test('within the 0.1 tolerance keeps the current count', () => {
    expect(resourceReplicasForUtilization(3, 50, 'cpu', [pod('a'), pod('b'), pod('c')], metrics({ a: 540, b: 540, c: 540 }), o).replicas).toBe(3);
    expect(resourceReplicasForUtilization(3, 50, 'cpu', [pod('a'), pod('b'), pod('c')], metrics({ a: 460, b: 460, c: 460 }), o).replicas).toBe(3);
    // Just outside: 56% is ratio 1.12.
    expect(resourceReplicasForUtilization(3, 50, 'cpu', [pod('a'), pod('b'), pod('c')], metrics({ a: 560, b: 560, c: 560 }), o).replicas).toBe(4);
  });

  test('utilization is a percentage of the summed requests', () => {
    const r = resourceReplicasForUtilization(2, 50, 'memory', [pod('a', { request: 2000 }), pod('b', { request: 2000 })], metrics({ a: 1000, b: 1000 }), o);
    expect(r.utilization).toBe(50);
    expect(r.replicas).toBe(2);
  });

  test('pods without a metric count as 0% on a scale-up', () => {
    // a,b at 100% → ratio 2; with c counted as 0: 2000/3000 = 66% → ratio 1.33 → ceil(4) = 4.
    const r = resourceReplicasForUtilization(3, 50, 'cpu', [pod('a'), pod('b'), pod('c')], metrics({ a: 1000, b: 1000 }), o);
    expect(r.replicas).toBe(4);
    expect(r.utilization).toBe(100);
  });

  test('pods without a metric count as 100% of their request on a scale-down', () => {
    // a,b at 10% → ratio 0.2; with c at 100%: 1200/3000 = 40% → ratio 0.8 → ceil(2.4) = 3 (no change).
    expect(resourceReplicasForUtilization(3, 50, 'cpu', [pod('a'), pod('b'), pod('c')], metrics({ a: 100, b: 100 }), o).replicas).toBe(3);
    // With four pods: 200+1000+1000 over 4000 → 55% → ratio 1.1 would flip direction: no change.
    expect(resourceReplicasForUtilization(4, 50, 'cpu', [pod('a'), pod('b'), pod('c'), pod('d')], metrics({ a: 100, b: 100 }), o).replicas).toBe(4);
  });

  test('a missing metric that would flip the direction keeps the current count', () => {
    // a at 60% → ratio 1.2 (up); with b as 0: 30% → ratio 0.6 (down): keep 2.
    expect(resourceReplicasForUtilization(2, 50, 'cpu', [pod('a'), pod('b')], metrics({ a: 600 }), o).replicas).toBe(2);
  });

  test('unready cpu pods count as 0% on a scale-up and are left out on a scale-down', () => {
    const starting = pod('c', { startTime: NOW - 60_000, ready: { status: 'False', lastTransitionTime: NOW - 60_000 } });
    // Up: a,b at 100% → ratio 2; c as 0 → 2000/3000=66% → ratio 1.33 → 4.
    expect(resourceReplicasForUtilization(3, 50, 'cpu', [pod('a'), pod('b'), starting], metrics({ a: 1000, b: 1000, c: 1000 }), o).replicas).toBe(4);
    // Down: c is simply ignored: a,b at 10% → ratio 0.2 × 2 ready = ceil(0.4) = 1.
    expect(resourceReplicasForUtilization(3, 50, 'cpu', [pod('a'), pod('b'), starting], metrics({ a: 100, b: 100, c: 1000 }), o).replicas).toBe(1);
  });

  test('a cpu sample taken before the pod became ready (inside the initialization period) is not trusted', () => {
    const fresh = pod('b', { startTime: NOW - 60_000, ready: { status: 'True', lastTransitionTime: NOW - 20_000 } });
    // The sample at NOW-10s with a 30 s window started before readiness (NOW-20s): b is unready.
    const r = resourceReplicasForUtilization(2, 50, 'cpu', [pod('a'), fresh], metrics({ a: 1000, b: 1000 }), o);
    // a alone at 100% → ratio 2, rebalance b as 0 → 50% → ratio 1.0: within tolerance, keep 2.
    expect(r.replicas).toBe(2);
  });

  test('memory ignores readiness: every running pod with a metric counts', () => {
    const starting = pod('b', { startTime: NOW - 60_000, ready: { status: 'False', lastTransitionTime: NOW - 60_000 } });
    expect(resourceReplicasForUtilization(2, 50, 'memory', [pod('a'), starting], metrics({ a: 1000, b: 1000 }), o).replicas).toBe(4);
  });

  test('pending pods are unready; deleted and failed pods are ignored', () => {
    const pods = [pod('a'), pod('b'), pod('p', { phase: 'Pending' }), pod('d', { deleting: true }), pod('f', { phase: 'Failed' })];
    // Down: a,b at 20% → ratio 0.4 × 2 ready → 1.
    expect(resourceReplicasForUtilization(5, 50, 'cpu', pods, metrics({ a: 200, b: 200, d: 1000, f: 1000 }), o).replicas).toBe(1);
  });

  test('errors as upstream', () => {
    expect(() => resourceReplicasForUtilization(1, 50, 'cpu', [], new Map(), o)).toThrow('no pods returned by selector while calculating replica count');
    expect(() => resourceReplicasForUtilization(1, 50, 'cpu', [pod('a')], new Map(), o)).toThrow('did not receive metrics for any ready pods');
    expect(() => resourceReplicasForUtilization(1, 50, 'cpu', [pod('a', { request: undefined, missingRequestContainer: 'app' })], metrics({ a: 1 }), o)).toThrow('missing request for cpu in container app of Pod a');
    expect(() => resourceReplicasForUtilization(1, 50, 'cpu', [], new Map(), o)).toThrow(MetricCalcError);
  });
});

describe('AverageValue replicas', () => {
  test('ratio of the average to the target', () => {
    const r = replicasForAverageValue(2, 200, 'cpu', [pod('a'), pod('b')], metrics({ a: 500, b: 300 }), o);
    expect(r).toEqual({ replicas: 4, average: 400 });
  });
  test('tolerance and scale-down', () => {
    expect(replicasForAverageValue(2, 200, 'cpu', [pod('a'), pod('b')], metrics({ a: 210, b: 210 }), o).replicas).toBe(2);
    expect(replicasForAverageValue(4, 200, 'memory', [pod('a'), pod('b'), pod('c'), pod('d')], metrics({ a: 50, b: 50, c: 50, d: 50 }), o).replicas).toBe(1);
  });
  test('missing pods count as the target on a scale-down', () => {
    // a at 100 → ratio 0.5; b as 200: average 150 → 0.75 → ceil(1.5) = 2.
    expect(replicasForAverageValue(3, 200, 'memory', [pod('a'), pod('b')], metrics({ a: 100 }), o).replicas).toBe(2);
  });
});
