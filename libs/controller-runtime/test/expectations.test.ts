import { ControllerExpectations } from '../src';

describe('ControllerExpectations', () => {
  test('a key with nothing pending is satisfied', () => {
    expect(new ControllerExpectations().satisfied('ns/a')).toBe(true);
  });

  test('creations and deletions must all be observed, each deletion once', () => {
    const e = new ControllerExpectations();
    e.expect('ns/a', 2, ['u1', 'u2']);
    e.creationObserved('ns/a');
    e.deletionObserved('ns/a', 'u1');
    e.deletionObserved('ns/a', 'u1'); // the same pod reported again (deletionTimestamp, then gone)
    expect(e.satisfied('ns/a')).toBe(false);
    expect(e.pending('ns/a')).toEqual({ adds: 1, deletes: ['u2'] });
    e.creationObserved('ns/a');
    e.deletionObserved('ns/a', 'other'); // not expected: changes nothing
    expect(e.satisfied('ns/a')).toBe(false);
    e.deletionObserved('ns/a', 'u2');
    expect(e.satisfied('ns/a')).toBe(true);
    expect(e.satisfied('ns/b')).toBe(true);
  });

  test('an expectation expires after the timeout, and expect() replaces the last one', () => {
    let now = 1_000;
    const e = new ControllerExpectations(5_000, () => now);
    e.expect('ns/a', 3, []);
    expect(e.expiresInMs('ns/a')).toBe(5_000);
    now += 4_000;
    expect(e.satisfied('ns/a')).toBe(false);
    expect(e.expiresInMs('ns/a')).toBe(1_000);
    now += 1_001;
    expect(e.satisfied('ns/a')).toBe(true);
    expect(e.expiresInMs('ns/a')).toBe(0);
    e.expect('ns/a', 1, []);
    expect(e.satisfied('ns/a')).toBe(false);
    e.delete('ns/a');
    expect(e.satisfied('ns/a')).toBe(true);
  });
});
