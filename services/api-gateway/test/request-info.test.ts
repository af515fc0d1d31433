import { parseResourcePath } from '../src/http/request-info';

const q = (s = '') => new URLSearchParams(s);

test('namespaced item with subresource', () => {
  expect(parseResourcePath('PUT', '/apis/apps/v1/namespaces/ns/deployments/web/scale', q())).toEqual({
    group: 'apps', version: 'v1', namespace: 'ns', resource: 'deployments', name: 'web', subresource: 'scale', verb: 'update',
  });
});

test('the namespace object itself is cluster-scoped', () => {
  expect(parseResourcePath('GET', '/api/v1/namespaces/kube-system', q())).toMatchObject({ resource: 'namespaces', name: 'kube-system', namespace: undefined, verb: 'get' });
});

test('list, watch and deletecollection are told apart', () => {
  expect(parseResourcePath('GET', '/api/v1/pods', q())?.verb).toBe('list');
  expect(parseResourcePath('GET', '/api/v1/namespaces/a/pods', q('watch=true'))?.verb).toBe('watch');
  expect(parseResourcePath('GET', '/api/v1/namespaces/a/pods', q('watch=1'))?.verb).toBe('watch');
  expect(parseResourcePath('DELETE', '/api/v1/namespaces/a/pods', q())?.verb).toBe('deletecollection');
  expect(parseResourcePath('DELETE', '/api/v1/namespaces/a/pods/x', q())?.verb).toBe('delete');
});

test('non-resource paths are not resource requests', () => {
  expect(parseResourcePath('GET', '/apis/apps', q())).toBeUndefined();
  expect(parseResourcePath('GET', '/healthz', q())).toBeUndefined();
  expect(parseResourcePath('GET', '/api/v1/namespaces/a/pods/x/status/extra', q())).toBeUndefined();
});

test('status and finalize under a namespace are its own subresources', () => {
  expect(parseResourcePath('PUT', '/api/v1/namespaces/x/finalize', q())).toMatchObject({ resource: 'namespaces', name: 'x', subresource: 'finalize', namespace: undefined });
  expect(parseResourcePath('GET', '/api/v1/namespaces/x/status', q())).toMatchObject({ resource: 'namespaces', name: 'x', subresource: 'status' });
});

test('a malformed percent-escape is a 400, not a crash', () => {
  expect(() => parseResourcePath('GET', '/api/v1/namespaces/%E0%A4%A/pods', q())).toThrow(expect.objectContaining({ code: 400, reason: 'BadRequest' }));
});
