import { newBehaviorState, normalizeWithBehavior, recordScaleEvent, scaleDownLimit, scaleUpLimit, withDefaults, type NormalizeArgs } from '../src/behavior';

const T0 = Date.parse('2024-01-01T00:00:00Z');
const defaults = withDefaults(undefined, 300);
const args = (x: Partial<NormalizeArgs>): NormalizeArgs => ({ behavior: defaults, minReplicas: 1, maxReplicas: 10, currentReplicas: 2, desiredReplicas: 2, now: T0, ...x });

describe('defaults', () => {
  test('scale-up: 4 pods or 100% per 15 s, no window; scale-down: 100% per 15 s, the controller window', () => {
    expect(defaults.scaleUp).toEqual({ stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] });
    expect(defaults.scaleDown).toEqual({ stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });
    expect(withDefaults({ scaleDown: { stabilizationWindowSeconds: 5 } }, 300).scaleDown.stabilizationWindowSeconds).toBe(5);
  });
});

describe('stabilization', () => {
  test('scale-down waits for the highest recommendation of the window', () => {
    const s = newBehaviorState();
    expect(normalizeWithBehavior(s, args({ currentReplicas: 5, desiredReplicas: 5, now: T0 })).replicas).toBe(5);
    const r = normalizeWithBehavior(s, args({ currentReplicas: 5, desiredReplicas: 1, now: T0 + 60_000 }));
    expect(r.replicas).toBe(5);
    expect(r.ableToScale).toEqual({ status: 'True', reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' });
    // After the 300 s window the 5 has expired; the 1 from T0+60s is still in the window.
    const later = normalizeWithBehavior(s, args({ currentReplicas: 5, desiredReplicas: 1, now: T0 + 301_000 }));
    expect(later.replicas).toBe(1);
    expect(later.ableToScale.reason).toBe('ReadyForNewScale');
  });

  test('scale-up window keeps the lowest recent recommendation', () => {
    const b = withDefaults({ scaleUp: { stabilizationWindowSeconds: 60 } }, 0);
    const s = newBehaviorState();
    normalizeWithBehavior(s, args({ behavior: b, currentReplicas: 2, desiredReplicas: 2, now: T0 }));
    const r = normalizeWithBehavior(s, args({ behavior: b, currentReplicas: 2, desiredReplicas: 6, now: T0 + 10_000 }));
    expect(r.replicas).toBe(2);
    expect(r.ableToScale.reason).toBe('ScaleUpStabilized');
    expect(normalizeWithBehavior(s, args({ behavior: b, currentReplicas: 2, desiredReplicas: 6, now: T0 + 61_000 })).replicas).toBe(6);
  });

  test('a zero window scales down at once', () => {
    const b = withDefaults(undefined, 0);
    const s = newBehaviorState();
    normalizeWithBehavior(s, args({ behavior: b, currentReplicas: 5, desiredReplicas: 5, now: T0 }));
    expect(normalizeWithBehavior(s, args({ behavior: b, currentReplicas: 5, desiredReplicas: 1, now: T0 + 1000 })).replicas).toBe(1);
  });
});

describe('rate policies and limits', () => {
  test('default scale-up: the larger of +4 pods and +100% per period', () => {
    const s = newBehaviorState();
    const r = normalizeWithBehavior(s, args({ currentReplicas: 2, desiredReplicas: 20, maxReplicas: 50 }));
    expect(r.replicas).toBe(6);
    expect(r.scalingLimited).toEqual({ status: 'True', reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' });
    expect(normalizeWithBehavior(newBehaviorState(), args({ currentReplicas: 10, desiredReplicas: 50, maxReplicas: 50 })).replicas).toBe(20);
  });

  test('maxReplicas and minReplicas clamp with TooManyReplicas / TooFewReplicas', () => {
    const up = normalizeWithBehavior(newBehaviorState(), args({ currentReplicas: 8, desiredReplicas: 12, maxReplicas: 10 }));
    expect(up.replicas).toBe(10);
    expect(up.scalingLimited).toEqual({ status: 'True', reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' });
    const b = withDefaults(undefined, 0);
    const down = normalizeWithBehavior(newBehaviorState(), args({ behavior: b, currentReplicas: 4, desiredReplicas: 1, minReplicas: 2 }));
    expect(down.replicas).toBe(2);
    expect(down.scalingLimited).toEqual({ status: 'True', reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' });
    const ok = normalizeWithBehavior(newBehaviorState(), args({ currentReplicas: 4, desiredReplicas: 5 }));
    expect(ok.scalingLimited).toEqual({ status: 'False', reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' });
  });

  test('past scale events count against the period', () => {
    const b = withDefaults({ scaleUp: { policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] } }, 0);
    const s = newBehaviorState();
    recordScaleEvent(s, b, 2, 4, T0);
    // Started the period at 2: at most 4 now, so no growth until the event ages out.
    expect(scaleUpLimit(4, s, b.scaleUp, T0 + 30_000)).toBe(4);
    expect(normalizeWithBehavior(s, args({ behavior: b, currentReplicas: 4, desiredReplicas: 8, now: T0 + 30_000 })).replicas).toBe(4);
    expect(scaleUpLimit(4, s, b.scaleUp, T0 + 61_000)).toBe(6);
  });

  test('selectPolicy Min picks the smallest change, Disabled none', () => {
    const min = withDefaults({ scaleUp: { selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] } }, 0);
    expect(scaleUpLimit(4, newBehaviorState(), min.scaleUp, T0)).toBe(5);
    const off = withDefaults({ scaleDown: { selectPolicy: 'Disabled' } }, 0);
    const r = normalizeWithBehavior(newBehaviorState(), args({ behavior: off, currentReplicas: 5, desiredReplicas: 1 }));
    expect(r.replicas).toBe(5);
    expect(r.scalingLimited.reason).toBe('ScaleDownLimit');
  });

  test('scale-down percent policies round down the pods kept', () => {
    const b = withDefaults({ scaleDown: { policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] } }, 0);
    expect(scaleDownLimit(5, newBehaviorState(), b.scaleDown, T0)).toBe(2);
    const s = newBehaviorState();
    recordScaleEvent(s, b, 10, 5, T0);
    // The period started at 10: 50% of it is 5, already reached.
    expect(scaleDownLimit(5, s, b.scaleDown, T0 + 10_000)).toBe(5);
    const pods = withDefaults({ scaleDown: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } }, 0);
    const r = normalizeWithBehavior(newBehaviorState(), args({ behavior: pods, currentReplicas: 5, desiredReplicas: 1 }));
    expect(r.replicas).toBe(4);
    expect(r.scalingLimited.reason).toBe('ScaleDownLimit');
  });
});
