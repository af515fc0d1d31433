import { decodeContinue, encodeContinue, StorageError } from '../src';

const prefix = '/registry/core/pods/';

function expectInvalid(token: string): void {
  try {
    decodeContinue(token, prefix);
  } catch (e) {
    expect(e).toBeInstanceOf(StorageError);
    expect((e as StorageError).code).toBe('InvalidContinue');
    return;
  }
  throw new Error(`token ${token} was accepted`);
}

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('continue tokens', () => {
  test('encode the kube format: base64url JSON with v, rv and the key suffix', () => {
    const token = encodeContinue(`${prefix}default/web-1\x00`, prefix, 42);
    expect(JSON.parse(Buffer.from(token, 'base64url').toString())).toEqual({ v: 'meta.k8s.io/v1', rv: 42, start: 'default/web-1\x00' });
    expect(token).not.toMatch(/=/);
  });

  test('round-trip to the full start key and revision', () => {
    const token = encodeContinue(`${prefix}ns/b\x00`, prefix, 7);
    expect(decodeContinue(token, prefix)).toEqual({ revision: 7, startKey: `${prefix}ns/b\x00` });
  });

  test('accept a token written by kube-apiserver', () => {
    // eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTIzLCJzdGFydCI6ImRlZmF1bHQvcG9kLWEAIn0 = {"v":"meta.k8s.io/v1","rv":123,"start":"default/pod-a\u0000"}
    const token = b64({ v: 'meta.k8s.io/v1', rv: 123, start: 'default/pod-a\x00' });
    expect(decodeContinue(token, prefix)).toEqual({ revision: 123, startKey: `${prefix}default/pod-a\x00` });
  });

  test('reject garbage, wrong versions, bad revisions and path traversal', () => {
    expectInvalid('not base64!');
    expectInvalid(Buffer.from('not json').toString('base64url'));
    expectInvalid(b64({ v: 'v2', rv: 1, start: 'a' }));
    expectInvalid(b64({ v: 'meta.k8s.io/v1', rv: 0, start: 'a' }));
    expectInvalid(b64({ v: 'meta.k8s.io/v1', rv: '5', start: 'a' }));
    expectInvalid(b64({ v: 'meta.k8s.io/v1', rv: 5, start: '' }));
    expectInvalid(b64({ v: 'meta.k8s.io/v1', rv: 5, start: '../secrets/x' }));
    expectInvalid(b64({ v: 'meta.k8s.io/v1', rv: 5, start: '/abs' }));
  });
});
