import { applyJsonMergePatch } from '../src/patch/json-merge-patch';

describe('applyJsonMergePatch (RFC 7386)', () => {
  // RFC 7386 appendix A, verbatim.
  const rfcCases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  it.each(rfcCases)('RFC 7386 example %#', (target, patch, expected) => {
    expect(applyJsonMergePatch(target, patch)).toEqual(expected);
  });

  it('does not mutate the target or the patch', () => {
    const target = { metadata: { labels: { a: '1' } }, spec: { replicas: 1, list: [1] } };
    const patch = { metadata: { labels: { b: '2', a: null } }, spec: { list: [2] } };
    const t0 = JSON.stringify(target);
    const p0 = JSON.stringify(patch);
    const out = applyJsonMergePatch(target, patch) as typeof target;
    expect(out).toEqual({ metadata: { labels: { b: '2' } }, spec: { replicas: 1, list: [2] } });
    expect(JSON.stringify(target)).toBe(t0);
    expect(JSON.stringify(patch)).toBe(p0);
    // The result shares nothing with the inputs.
    (out.spec.list as number[]).push(3);
    expect(patch.spec.list).toEqual([2]);
  });

  it('keeps the key order of the target and appends new keys', () => {
    const out = applyJsonMergePatch({ a: 1, b: 2, c: 3 }, { d: 4, b: 20 });
    expect(Object.keys(out as object)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('treats __proto__ in a patch as a plain key', () => {
    const patch = JSON.parse('{"__proto__":{"polluted":true}}') as unknown;
    const out = applyJsonMergePatch({}, patch) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__']);
  });

  it('scale-style patch sets spec.replicas and keeps the rest', () => {
    const dep = { spec: { replicas: 1, selector: { matchLabels: { app: 'web' } } } };
    expect(applyJsonMergePatch(dep, { spec: { replicas: 5 } })).toEqual({
      spec: { replicas: 5, selector: { matchLabels: { app: 'web' } } },
    });
  });
});
