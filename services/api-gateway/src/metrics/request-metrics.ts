// Per-request metrics, labelled as kube-apiserver labels them (k8s.io/apiserver
// pkg/endpoints/metrics: CleanVerb, CleanScope, long-running check). Counted when the response
// closes, so a watch or a followed log counts once, at its end, with its whole duration; while
// open it is in apiserver_longrunning_requests.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceRequest } from '../http/request-info';
import type { GatewayMetrics, RequestLabel } from './gateway-metrics';

// Subresources kube serves as long-running connections (its longRunningRequestCheck).
const LONG_RUNNING_SUBRESOURCES = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);
// Subresources kube has; any other name a client invents is reported as `other`, so a
// hostile or buggy client cannot grow the label set without bound.
const KNOWN_SUBRESOURCES = new Set([
  'status', 'scale', 'log', 'eviction', 'binding', 'token', 'finalize', 'approval', 'exec', 'attach', 'portforward', 'proxy', 'ephemeralcontainers', 'resize',
]);

const VERBS: Record<ResourceRequest['verb'], string> = {
  get: 'GET', list: 'LIST', watch: 'WATCH', create: 'POST', update: 'PUT', patch: 'PATCH', delete: 'DELETE', deletecollection: 'DELETECOLLECTION',
};
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** kube's verb label: LIST/WATCH/… for resources, APPLY for a server-side apply patch, the method otherwise. */
export function metricVerb(method: string, rr: ResourceRequest | undefined, contentType: string | undefined): string {
  if (!rr) return METHODS.has(method) ? method : 'other';
  if (rr.verb === 'patch' && (contentType ?? '').split(';')[0].trim() === 'application/apply-patch+yaml') return 'APPLY';
  return VERBS[rr.verb];
}

/** kube's CleanScope: `resource` for a named object or a create, `namespace`, `cluster`, or `` for a non-resource path. */
export function metricScope(rr: ResourceRequest | undefined): string {
  if (!rr) return '';
  if (rr.name || rr.verb === 'create') return 'resource';
  if (rr.namespace) return 'namespace';
  return 'cluster';
}

export function isLongRunning(rr: ResourceRequest | undefined): boolean {
  return !!rr && (rr.verb === 'watch' || (!!rr.subresource && LONG_RUNNING_SUBRESOURCES.has(rr.subresource)));
}

/**
 * Starts measuring one request; records it when the response closes. `served` says whether the
 * group/version/resource exists: a request for one that does not is labelled with empty
 * group/version/resource (its 404 still counts), again to bound the label set.
 */
export function instrumentRequest(
  m: GatewayMetrics,
  req: IncomingMessage,
  res: ServerResponse,
  rr: ResourceRequest | undefined,
  served: (group: string, version: string, resource: string) => boolean,
): void {
  const started = performance.now();
  const known = !!rr && served(rr.group, rr.version, rr.resource);
  const labels: Record<RequestLabel, string> = {
    verb: metricVerb(req.method ?? 'GET', rr, req.headers['content-type']),
    dry_run: rr && /(^|&)dryRun=All(&|$)/.test((req.url ?? '').split('?')[1] ?? '') ? 'All' : '',
    group: known ? rr.group : '',
    version: known ? rr.version : '',
    resource: known ? rr.resource : '',
    subresource: known && rr.subresource ? (KNOWN_SUBRESOURCES.has(rr.subresource) ? rr.subresource : 'other') : '',
    scope: metricScope(rr),
    component: 'apiserver',
  };
  const longRunning = isLongRunning(rr);
  const { dry_run: _dryRun, ...lrLabels } = labels;
  if (longRunning) m.longRunning.inc(lrLabels);
  res.once('close', () => {
    if (longRunning) m.longRunning.dec(lrLabels);
    m.recordRequest(labels, res.statusCode, (performance.now() - started) / 1000);
  });
}
