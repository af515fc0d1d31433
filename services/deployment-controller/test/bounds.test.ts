import { computeHash } from '../src/pod-template-hash';
import { maxSurge, maxUnavailable, resolveFenceposts, scaledValueFromIntOrPercent } from '../src/rollout-bounds';
import { deployment } from './fixtures';

describe('pod-template-hash', () => {
  test('the hash is stable across key order, changes with the template and the collision count', () => {
    const a = { metadata: { labels: { app: 'web', tier: 'x' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } };
    const b = { spec: { containers: [{ image: 'nginx:1.27', name: 'web' }] }, metadata: { labels: { tier: 'x', app: 'web' } } };
    expect(computeHash(a)).toBe(computeHash(b));
    expect(computeHash(a)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    expect(computeHash(a, 1)).not.toBe(computeHash(a));
    expect(computeHash(a, 1)).not.toBe(computeHash(a, 2));
    expect(computeHash({ ...a, spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } })).not.toBe(computeHash(a));
  });
});

describe('maxSurge and maxUnavailable', () => {
  test.each([
    // value, total, roundUp, expected (intstr.GetScaledValueFromIntOrPercent)
    [3, 10, true, 3],
    ['25%', 10, true, 3],
    ['25%', 10, false, 2],
    ['25%', 3, true, 1],
    ['25%', 3, false, 0],
    ['100%', 7, false, 7],
    ['0%', 10, true, 0],
  ] as const)('%p of %p (roundUp %p) is %p', (v, total, up, want) => {
    expect(scaledValueFromIntOrPercent(v, total, up)).toBe(want);
  });

  test('a string that is not a percentage is an error', () => {
    expect(() => scaledValueFromIntOrPercent('5', 10, true)).toThrow(/not a percentage/);
  });

  test('both 0 resolves to maxUnavailable 1 (ResolveFenceposts)', () => {
    expect(resolveFenceposts(0, 0, 10)).toEqual({ surge: 0, unavailable: 1 });
    expect(resolveFenceposts('0%', '0%', 10)).toEqual({ surge: 0, unavailable: 1 });
    expect(resolveFenceposts('25%', '25%', 1)).toEqual({ surge: 1, unavailable: 0 });
    expect(resolveFenceposts('10%', '10%', 5)).toEqual({ surge: 1, unavailable: 0 });
  });

  test('maxUnavailable is capped at replicas and 0 for Recreate or 0 replicas', () => {
    expect(maxUnavailable(deployment(3, { maxUnavailable: 5 }))).toBe(3);
    expect(maxUnavailable(deployment(0, { maxUnavailable: 5 }))).toBe(0);
    expect(maxUnavailable(deployment(3, { recreate: true }))).toBe(0);
    expect(maxSurge(deployment(3, { recreate: true }))).toBe(0);
    expect(maxSurge(deployment(10, { maxSurge: '25%' }))).toBe(3);
  });
});
