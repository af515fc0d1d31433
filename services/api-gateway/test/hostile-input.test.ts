// The pure guards behind e2e/test/hostile-input.test.ts: raw paths, path-segment names,
// media types, nesting depth, ListOptions, long watch timers and the too-large-RV Status.
import type { IncomingMessage } from 'node:http';
import { ApiError } from '@keelson/api';
import { StorageError } from '@keelson/storage';
import { parseResourcePath } from '../src/http/request-info';
import { rawPathOf } from '../src/http/request-path';
import { checkAcceptable, checkBodyMediaType } from '../src/http/media-types';
import { MAX_NESTING_DEPTH, checkNestingDepth, checkYamlFlowDepth } from '../src/http/nesting-depth';
import { decodeBody } from '../src/http/io';
import { validateListOptions } from '../src/handlers/list-options';
import { setLongTimeout, watchCacheTimeout } from '../src/handlers/watch-limits';

const q = (s = '') => new URLSearchParams(s);

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

describe('raw request paths', () => {
  test('keep dot segments, encoded or not, and backslashes as sent', () => {
    expect(rawPathOf('/api/v1/namespaces/victim/configmaps/%2E%2E')).toBe('/api/v1/namespaces/victim/configmaps/%2E%2E');
    expect(rawPathOf('/api/v1/namespaces/victim/configmaps/..?watch=1')).toBe('/api/v1/namespaces/victim/configmaps/..');
    expect(rawPathOf('/a/x\\..#frag')).toBe('/a/x\\..');
    expect(rawPathOf('https://host:6443/api/v1/pods?limit=1')).toBe('/api/v1/pods');
    expect(rawPathOf(undefined)).toBe('/');
  });

  test('a name or namespace of . or .., or holding / or % once decoded, is 400 like NamespaceKeyFunc', () => {
    const cases: Array<[string, string]> = [
      ['/api/v1/namespaces/victim/configmaps/%2E%2E', 'Name parameter invalid: "..": may not be \'..\''],
      ['/api/v1/namespaces/victim/configmaps/.', 'Name parameter invalid: ".": may not be \'.\''],
      ['/api/v1/namespaces/victim/configmaps/a%2Fb', 'Name parameter invalid: "a/b": may not contain \'/\''],
      ['/api/v1/namespaces/victim/configmaps/%252E', 'Name parameter invalid: "%2E": may not contain \'%\''],
      ['/api/v1/namespaces/%2e%2e/configmaps', 'Namespace parameter invalid: "..": may not be \'..\''],
      ['/api/v1/namespaces/..', 'Name parameter invalid: "..": may not be \'..\''],
    ];
    for (const [path, message] of cases) {
      const e = apiError(() => parseResourcePath('DELETE', path, q()));
      expect({ path, code: e.code, message: e.message }).toEqual({ path, code: 400, message });
    }
    expect(parseResourcePath('DELETE', '/api/v1/namespaces/victim/configmaps/a..b', q())).toMatchObject({ name: 'a..b', verb: 'delete' });
  });
});

describe('media types', () => {
  const req = (accept?: string) => ({ headers: accept === undefined ? {} : { accept } }) as IncomingMessage;

  test('bodies kube cannot decode are 415', () => {
    for (const t of ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']) expect(() => checkBodyMediaType(t)).not.toThrow();
    for (const t of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) expect(apiError(() => checkBodyMediaType(t)).code).toBe(415);
    expect(apiError(() => decodeBody(Buffer.from('{}'), 'text/plain')).reason).toBe('UnsupportedMediaType');
  });

  test('an Accept header no serializer satisfies is 406', () => {
    for (const a of [undefined, '', '*/*', 'application/*', 'application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json', 'application/xml, application/yaml', 'application/vnd.kubernetes.protobuf;stream=watch']) {
      expect(() => checkAcceptable(req(a))).not.toThrow();
    }
    for (const a of ['application/xml', 'text/html', 'application/json;q=0', 'image/*']) {
      const e = apiError(() => checkAcceptable(req(a)));
      expect({ a, code: e.code, reason: e.reason }).toEqual({ a, code: 406, reason: 'NotAcceptable' });
    }
  });
});

describe('nesting depth', () => {
  const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

  test('JSON up to the limit decodes; one level more is 400', () => {
    expect(() => decodeBody(Buffer.from(nested(MAX_NESTING_DEPTH)), 'application/json')).not.toThrow();
    expect(apiError(() => decodeBody(Buffer.from(nested(MAX_NESTING_DEPTH + 1)), 'application/json')).code).toBe(400);
    expect(apiError(() => checkNestingDepth(JSON.parse(`[${nested(200_000)}]`))).message).toContain('exceeded max depth');
  });

  test('YAML flow nesting is measured before parsing, brackets inside strings do not count', () => {
    const deep = `a: ${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    expect(apiError(() => checkYamlFlowDepth(deep)).code).toBe(400);
    expect(apiError(() => decodeBody(Buffer.from(deep), 'application/yaml')).code).toBe(400);
    // Closing brackets in quoted strings cannot hide real nesting...
    const hidden = `a: ${Array.from({ length: 600 }, () => '["]", ').join('')}1${']'.repeat(600)}`;
    expect(apiError(() => checkYamlFlowDepth(hidden)).code).toBe(400);
    // ...and opening brackets in strings or block scalars are not nesting.
    expect(() => checkYamlFlowDepth(`a: "${'['.repeat(5000)}"\nb: |\n  ${'{'.repeat(5000)}\nc: [1, {d: e}]\n`)).not.toThrow();
  });
});

describe('ListOptions', () => {
  const invalid = (s: string, watch = false) => apiError(() => validateListOptions(q(s), watch));

  test('resourceVersionMatch is validated as ValidateListOptions does', () => {
    expect(() => validateListOptions(q('resourceVersion=5&resourceVersionMatch=Exact'), false)).not.toThrow();
    expect(() => validateListOptions(q('resourceVersion=0&resourceVersionMatch=NotOlderThan'), false)).not.toThrow();
    expect(() => validateListOptions(q(''), false)).not.toThrow();
    const bogus = invalid('resourceVersion=1&resourceVersionMatch=bogus');
    expect(bogus.toStatus()).toMatchObject({ code: 422, reason: 'Invalid', details: { kind: 'ListOptions', group: 'meta.k8s.io' } });
    expect(bogus.message).toBe('ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "bogus": supported values: "Exact", "NotOlderThan", ""');
    expect(invalid('resourceVersionMatch=Exact').message).toContain('resourceVersionMatch is forbidden unless resourceVersion is provided');
    expect(invalid('resourceVersion=0&resourceVersionMatch=Exact').message).toContain('resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    expect(invalid('resourceVersion=3&continue=x&resourceVersionMatch=NotOlderThan').message).toContain('forbidden when continue is provided');
    expect(invalid('resourceVersionMatch=Exact', true).message).toContain('supported values: "NotOlderThan"');
  });
});

describe('watch limits', () => {
  afterEach(() => jest.useRealTimers());

  test('a timeout beyond the 32-bit timer range fires when due, not at once', () => {
    jest.useFakeTimers({ now: 0 });
    const fired = jest.fn();
    setLongTimeout(fired, 2_147_484 * 1000);
    jest.advanceTimersByTime(2 ** 31 - 1);
    expect(fired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(2_147_484 * 1000 - (2 ** 31 - 1) - 1);
    expect(fired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  test('a cleared long timeout never fires', () => {
    jest.useFakeTimers({ now: 0 });
    const fired = jest.fn();
    setLongTimeout(fired, 3 * 2 ** 31).clear();
    jest.advanceTimersByTime(4 * 2 ** 31);
    expect(fired).not.toHaveBeenCalled();
  });

  test('too large resource version is a 504 with kube cause and retry hint', () => {
    const s = watchCacheTimeout(new StorageError('Unavailable', '/registry/x', 'Too large resource version: 9, current: 5', 5)).toStatus();
    expect(s).toMatchObject({
      code: 504,
      reason: 'Timeout',
      message: 'Timeout: Too large resource version: 9, current: 5',
      details: { retryAfterSeconds: 1, causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }] },
    });
  });
});
