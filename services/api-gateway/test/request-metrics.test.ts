import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseResourcePath } from '../src/http/request-info';
import { GatewayMetrics, etcdTypeOf, instrumentRequest, isLongRunning, metricScope, metricVerb } from '../src/metrics';

const rr = (method: string, path: string) => parseResourcePath(method, path, new URL(`https://x${path}`).searchParams);

describe('kube-apiserver request labels', () => {
  it.each([
    ['GET', '/api/v1/namespaces/default/pods', undefined, 'LIST', 'namespace'],
    ['GET', '/api/v1/pods', undefined, 'LIST', 'cluster'],
    ['GET', '/api/v1/namespaces/default/pods?watch=true', undefined, 'WATCH', 'namespace'],
    ['GET', '/api/v1/namespaces/default/pods/web', undefined, 'GET', 'resource'],
    ['POST', '/apis/apps/v1/namespaces/default/deployments', undefined, 'POST', 'resource'],
    ['PUT', '/api/v1/nodes/n1/status', undefined, 'PUT', 'resource'],
    ['PATCH', '/apis/apps/v1/namespaces/default/deployments/web', 'application/apply-patch+yaml', 'APPLY', 'resource'],
    ['PATCH', '/apis/apps/v1/namespaces/default/deployments/web', 'application/strategic-merge-patch+json', 'PATCH', 'resource'],
    ['DELETE', '/api/v1/namespaces/default/pods', undefined, 'DELETECOLLECTION', 'namespace'],
    ['DELETE', '/api/v1/namespaces/x', undefined, 'DELETE', 'resource'],
    ['GET', '/healthz', undefined, 'GET', ''],
    ['BREW', '/metrics', undefined, 'other', ''],
  ])('%s %s (%s) is verb %s, scope %s', (method, path, contentType, verb, scope) => {
    const [p, q = ''] = path.split('?');
    const req = p.startsWith('/api') ? parseResourcePath(method, p, new URLSearchParams(q)) : undefined;
    expect(metricVerb(method, req, contentType)).toBe(verb);
    expect(metricScope(req)).toBe(scope);
  });

  it('watches and pod logs are long-running, a get is not', () => {
    expect(isLongRunning(parseResourcePath('GET', '/api/v1/pods', new URLSearchParams('watch=1')))).toBe(true);
    expect(isLongRunning(rr('GET', '/api/v1/namespaces/default/pods/web/log'))).toBe(true);
    expect(isLongRunning(rr('GET', '/api/v1/namespaces/default/pods/web'))).toBe(false);
    expect(isLongRunning(undefined)).toBe(false);
  });

  it('etcd type is the key\'s group-resource', () => {
    expect(etcdTypeOf('/registry/core/pods/default/web')).toBe('pods');
    expect(etcdTypeOf('/registry/apps/deployments/')).toBe('deployments.apps');
    expect(etcdTypeOf('/')).toBe('');
    expect(etcdTypeOf('')).toBe('');
  });
});

describe('instrumentRequest', () => {
  function fakeExchange(method: string, url: string): { req: IncomingMessage; res: ServerResponse & EventEmitter } {
    const res = Object.assign(new EventEmitter(), { statusCode: 200 }) as unknown as ServerResponse & EventEmitter;
    return { req: { method, url, headers: {} } as IncomingMessage, res };
  }

  it('counts a request when its response closes; a watch is long-running until then', async () => {
    const m = new GatewayMetrics();
    const path = '/api/v1/namespaces/default/pods';
    const w = fakeExchange('GET', `${path}?watch=true`);
    instrumentRequest(m, w.req, w.res, parseResourcePath('GET', path, new URLSearchParams('watch=true')), () => true);
    const text1 = await m.registry.metrics();
    expect(text1).toContain('apiserver_longrunning_requests{verb="WATCH",group="",version="v1",resource="pods",subresource="",scope="namespace",component="apiserver"} 1');
    expect(text1).not.toMatch(/^apiserver_request_total\{/m);
    w.res.emit('close');
    const text2 = await m.registry.metrics();
    expect(text2).toContain('apiserver_longrunning_requests{verb="WATCH",group="",version="v1",resource="pods",subresource="",scope="namespace",component="apiserver"} 0');
    expect(text2).toContain('apiserver_request_total{verb="WATCH",dry_run="",group="",version="v1",resource="pods",subresource="",scope="namespace",component="apiserver",code="200"} 1');
  });

  it('labels an unknown resource and an invented subresource without their names (bounded label set)', async () => {
    const m = new GatewayMetrics();
    const bogus = fakeExchange('GET', '/apis/evil.example/v1/namespaces/a/things-123/x');
    bogus.res.statusCode = 404;
    instrumentRequest(m, bogus.req, bogus.res, rr('GET', '/apis/evil.example/v1/namespaces/a/things-123/x'), () => false);
    bogus.res.emit('close');
    const sub = fakeExchange('POST', '/api/v1/namespaces/a/pods/p/whatever?dryRun=All');
    instrumentRequest(m, sub.req, sub.res, rr('POST', '/api/v1/namespaces/a/pods/p/whatever'), () => true);
    sub.res.emit('close');
    const text = await m.registry.metrics();
    expect(text).toContain('apiserver_request_total{verb="GET",dry_run="",group="",version="",resource="",subresource="",scope="resource",component="apiserver",code="404"} 1');
    expect(text).toContain('apiserver_request_total{verb="POST",dry_run="All",group="",version="v1",resource="pods",subresource="other",scope="resource",component="apiserver",code="200"} 1');
    expect(text).not.toContain('evil');
    expect(text).not.toContain('whatever');
  });
});
