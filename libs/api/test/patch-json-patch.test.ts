import { ApiError } from '../src/status';
import { applyJsonPatch, JSON_PATCH_NOT_APPLIED } from '../src/patch/json-patch';

function failure(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

describe('applyJsonPatch (RFC 6902)', () => {
  // RFC 6902 appendix A examples.
  it('A.1 adds an object member', () => {
    expect(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }])).toEqual({ foo: 'bar', baz: 'qux' });
  });
  it('A.2 adds an array element', () => {
    expect(applyJsonPatch({ foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }])).toEqual({ foo: ['bar', 'qux', 'baz'] });
  });
  it('A.3 removes an object member', () => {
    expect(applyJsonPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }])).toEqual({ foo: 'bar' });
  });
  it('A.4 removes an array element', () => {
    expect(applyJsonPatch({ foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }])).toEqual({ foo: ['bar', 'baz'] });
  });
  it('A.5 replaces a value', () => {
    expect(applyJsonPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }])).toEqual({ baz: 'boo', foo: 'bar' });
  });
  it('A.6 moves a value', () => {
    const doc = { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } };
    expect(applyJsonPatch(doc, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }])).toEqual({
      foo: { bar: 'baz' },
      qux: { corge: 'grault', thud: 'fred' },
    });
  });
  it('A.7 moves an array element', () => {
    const doc = { foo: ['all', 'grass', 'cows', 'eat'] };
    expect(applyJsonPatch(doc, [{ op: 'move', from: '/foo/1', path: '/foo/3' }])).toEqual({ foo: ['all', 'cows', 'eat', 'grass'] });
  });
  it('A.8 test succeeds', () => {
    const doc = { baz: 'qux', foo: ['a', 2, 'c'] };
    const ops = [
      { op: 'test', path: '/baz', value: 'qux' },
      { op: 'test', path: '/foo/1', value: 2 },
    ];
    expect(applyJsonPatch(doc, ops)).toEqual(doc);
  });
  it('A.9 a failed test answers 422 Invalid like kube-apiserver', () => {
    const err = failure(() => applyJsonPatch({ baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }]));
    expect(err.code).toBe(422);
    expect(err.reason).toBe('Invalid');
    expect(err.message).toBe(JSON_PATCH_NOT_APPLIED);
    expect(err.toStatus()).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: 'the server rejected our request due to an error in our request', reason: 'Invalid', details: {}, code: 422,
    });
  });
  it('A.10 adds a nested member object', () => {
    expect(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }])).toEqual({ foo: 'bar', child: { grandchild: {} } });
  });
  it('A.11 ignores unrecognized members of an operation', () => {
    expect(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }])).toEqual({ foo: 'bar', baz: 'qux' });
  });
  it('A.12 adding to a nonexistent target fails with 422', () => {
    expect(failure(() => applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }])).code).toBe(422);
  });
  it('A.14 unescapes ~0 and ~1', () => {
    const doc = { '/': 9, '~1': 10 };
    expect(applyJsonPatch(doc, [{ op: 'test', path: '/~01', value: 10 }, { op: 'replace', path: '/~1', value: 1 }])).toEqual({ '/': 1, '~1': 10 });
  });
  it('A.15 compares strings and numbers strictly', () => {
    expect(failure(() => applyJsonPatch({ '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }])).code).toBe(422);
  });
  it('A.16 adds an array value', () => {
    expect(applyJsonPatch({ foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }])).toEqual({ foo: ['bar', ['abc', 'def']] });
  });

  it('copies values deeply and compares objects structurally in test', () => {
    const doc = { a: { x: [1, { y: 2 }] } };
    const out = applyJsonPatch(doc, [
      { op: 'copy', from: '/a', path: '/b' },
      { op: 'add', path: '/b/x/-', value: 3 },
      { op: 'test', path: '/a', value: { x: [1, { y: 2 }] } },
    ]);
    expect(out).toEqual({ a: { x: [1, { y: 2 }] }, b: { x: [1, { y: 2 }, 3] } });
  });

  it('labels a pod the way kubectl patch --type=json does', () => {
    const pod = { metadata: { name: 'p', labels: { app: 'web' } } };
    const ops = [
      { op: 'add', path: '/metadata/labels/tier', value: 'fe' },
      { op: 'remove', path: '/metadata/labels/app' },
      { op: 'add', path: '/metadata/annotations', value: { 'example.com/x': 'y' } },
    ];
    expect(applyJsonPatch(pod, ops)).toEqual({ metadata: { name: 'p', labels: { tier: 'fe' }, annotations: { 'example.com/x': 'y' } } });
  });

  it('replaces the whole document for path ""', () => {
    expect(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }])).toEqual({ b: 2 });
  });

  it('supports negative indices as evanphx/json-patch v4 does', () => {
    expect(applyJsonPatch({ l: [1, 2, 3] }, [{ op: 'remove', path: '/l/-1' }])).toEqual({ l: [1, 2] });
  });

  it('test for null at a missing member succeeds (evanphx v4)', () => {
    expect(applyJsonPatch({ a: {} }, [{ op: 'test', path: '/a/missing', value: null }])).toEqual({ a: {} });
  });

  it.each([
    ['remove of a missing member', [{ op: 'remove', path: '/spec/affinity' }]],
    ['replace of a missing member', [{ op: 'replace', path: '/spec/nope', value: 1 }]],
    ['index out of range', [{ op: 'add', path: '/spec/list/5', value: 1 }]],
    ['leading-zero index', [{ op: 'replace', path: '/spec/list/01', value: 1 }]],
    ['"-" outside add', [{ op: 'remove', path: '/spec/list/-' }]],
    ['bad pointer', [{ op: 'add', path: 'spec', value: 1 }]],
    ['bad escape', [{ op: 'add', path: '/a~2', value: 1 }]],
    ['unknown op', [{ op: 'frobnicate', path: '/spec' }]],
    ['missing value', [{ op: 'add', path: '/spec/x' }]],
    ['missing from', [{ op: 'move', path: '/spec/x' }]],
    ['move into own child', [{ op: 'move', from: '/spec', path: '/spec/inner' }]],
  ])('%s answers 422', (_name, ops) => {
    const err = failure(() => applyJsonPatch({ spec: { list: [1] } }, ops));
    expect(err.code).toBe(422);
    expect(err.reason).toBe('Invalid');
  });

  it.each([
    ['not an array', { op: 'add', path: '/a', value: 1 }],
    ['an element that is not an object', ['add']],
  ])('a body that is %s answers 400', (_name, ops) => {
    const err = failure(() => applyJsonPatch({}, ops));
    expect(err.code).toBe(400);
    expect(err.reason).toBe('BadRequest');
  });

  it('is atomic and never mutates its inputs', () => {
    const doc = { a: [1, 2], b: { c: 1 } };
    const ops = [
      { op: 'add', path: '/a/-', value: { deep: true } },
      { op: 'remove', path: '/b/c' },
    ];
    const d0 = JSON.stringify(doc);
    const o0 = JSON.stringify(ops);
    const out = applyJsonPatch(doc, ops) as { a: unknown[] };
    (out.a[2] as { deep: boolean }).deep = false;
    expect(JSON.stringify(doc)).toBe(d0);
    expect(JSON.stringify(ops)).toBe(o0);
    expect(() => applyJsonPatch(doc, [...ops, { op: 'test', path: '/a/0', value: 9 }])).toThrow(ApiError);
    expect(JSON.stringify(doc)).toBe(d0);
  });
});
