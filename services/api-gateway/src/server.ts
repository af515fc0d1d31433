// The gateway's HTTP surface: health, version, discovery, OpenAPI and resources,
// each request authenticated and traced.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { ApiError, errors, openApiV3Index, openApiV3Serialized, type KubeObject, type ResourceRegistry } from '@keelson/api';
import type { WatchCache } from '@keelson/storage';
import { contextFromTraceparent, traceparentOf, type Logger } from '@keelson/telemetry';
import type { TokenAuthenticator, UserInfo } from './http/auth';
import { attributesFor, handleReview, isReviewRequest, type Authorizer, type UnionAuthenticator } from './authz';
import type { AuditLog } from './http/audit';
import { authenticateAudited } from './http/authn-audit';
import type { FlowControl } from './http/flow-control';
import { aggregatedDiscovery, apiGroupDoc, apiGroupList, apiResourceList, apiVersions, versionInfo, wantsAggregated } from './http/discovery';
import { sendError, sendJson, trackClientGone } from './http/io';
import { handleOpenApiV2 } from './http/openapi-v2';
import { parseResourcePath, type ResourceRequest } from './http/request-info';
import { hasMalformedEscape, rawPathOf, requestUrl } from './http/request-path';
import { checkAcceptable } from './http/media-types';
import { handleResource } from './handlers/resources';
import { handleWatch } from './handlers/watch';
import { handlePodLog } from './handlers/pod-logs';
import { handlePodStream, isPodStreamRequest } from './streaming/pod-stream-proxy';
import { evictionStores, handlePodEviction, isPodEviction } from './handlers/pod-eviction';
import { handleTokenRequest } from './handlers/token-request';
import type { ServiceAccountTokens } from './serviceaccount/tokens';
import { dryRunOf, fieldValidationOf } from './handlers/params';
import type { RequestContext } from './registry/request-context';
import { instrumentRequest, serveMetrics, type GatewayMetrics } from './metrics';
import type { ResourceStore } from './registry/resource-store';
import { CustomResourceStore } from './registry/custom-resource-store';
import { ConvertedVersionStore } from './registry/converted-version-store';
import { Aggregator, withRemoteDiscovery, withRemoteGroups } from './aggregation/aggregator';

export interface ApiServerDeps {
  registry: ResourceRegistry;
  stores: Map<string, ResourceStore>;
  caches: Map<string, WatchCache>;
  authenticator: TokenAuthenticator | UnionAuthenticator;
  /** The Node+RBAC chain (authz/); every authenticated request is authorized before routing. */
  authorizer?: Authorizer;
  /** Signs TokenRequests (serviceaccounts/token). */
  serviceAccountTokens?: ServiceAccountTokens;
  log: Logger;
  /** Per-user rate limits, priority levels, watch limits, request timeouts (http/flow-control.ts). */
  flowControl?: FlowControl;
  /** The audit log, when KEELSON_AUDIT_LOG_PATH is set (http/audit.ts). */
  audit?: AuditLog;
  maxRequestBytes: number;
  bookmarkIntervalSeconds: number;
  /** Prometheus metrics (metrics/): counted per request, served at /metrics. */
  metrics?: GatewayMetrics;
  /** Readiness beyond "the process runs": etcd answers and caches are synced. */
  ready: () => Promise<boolean>;
  /** Bearer token the pods/log proxy sends to kubelets (GatewayConfig.kubeletClientToken). */
  kubeletClientToken?: string;
  /** `/version`'s gitCommit (GatewayConfig.gitCommit). */
  gitCommit?: string;
  /** APIService-registered groups served by other servers (aggregation/); made from the caches when absent. */
  aggregator?: Aggregator;
}

const tracer = trace.getTracer('keelson-api-gateway');

export function createRequestListener(deps: ApiServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  deps = { ...deps, aggregator: deps.aggregator ?? new Aggregator({ registry: deps.registry, caches: deps.caches, token: deps.kubeletClientToken }) };
  return (req, res) => {
    trackClientGone(res);
    const url = requestUrl(req.url);
    // Routed on the path as sent (see request-path.ts), never on URL's dot-segment-resolved pathname.
    const path = rawPathOf(req.url).replace(/\/+$/, '') || '/';
    // Parsed once: it names the span and routes the request (a bad path is answered in route).
    let rr: ResourceRequest | undefined;
    let badPath: unknown;
    try {
      rr = parseResourcePath(req.method ?? 'GET', path, url.searchParams);
    } catch (e) {
      badPath = e;
    }
    if (deps.metrics) instrumentRequest(deps.metrics, req, res, rr, (g, v, r) => !!deps.registry.lookup(g, v, r));
    const parent = contextFromTraceparent(headerOf(req, 'traceparent'), headerOf(req, 'tracestate'));
    const span = tracer.startSpan(`${req.method} ${rr ? routeName(rr) : path}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method ?? '', 'url.path': url.pathname } }, parent);
    const started = Date.now();
    res.on('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      // Skipped, context switch and all, when debug lines are off (the default): this runs per request.
      if (deps.log.isLevelEnabled?.('debug') !== false && url.pathname !== '/readyz' && url.pathname !== '/healthz' && url.pathname !== '/livez') {
        // In the request's span, so the line carries its traceId/spanId like every line logged while serving it.
        context.with(trace.setSpan(parent, span), () => deps.log.debug('request', { method: req.method, path: url.pathname, status: res.statusCode, ms: Date.now() - started, protocol: req.httpVersion }));
      }
    });
    context.with(trace.setSpan(parent, span), () => {
      (badPath && hasMalformedEscape(path) ? Promise.reject(badPath) : route(req, res, url, path, rr, deps, badPath)).catch((err: unknown) => {
        if (!(err instanceof ApiError)) deps.log.error('request failed', { method: req.method, path: url.pathname, err: err instanceof Error ? err.stack : String(err) });
        span.recordException(err instanceof Error ? err : String(err));
        sendError(res, err);
      });
    });
  };
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Low-cardinality span names: the path with names replaced. */
function routeName(rr: ResourceRequest): string {
  const base = rr.group ? `/apis/${rr.group}/${rr.version}` : `/api/${rr.version}`;
  return `${base}${rr.namespace ? '/namespaces/{namespace}' : ''}/${rr.resource}${rr.name ? '/{name}' : ''}${rr.subresource ? '/' + rr.subresource : ''}`;
}

async function route(req: IncomingMessage, res: ServerResponse, url: URL, path: string, rr: ResourceRequest | undefined, deps: ApiServerDeps, badPath?: unknown): Promise<void> {
  // Health and version are public, as kube's system:public-info-viewer makes them.
  if (path === '/healthz' || path === '/livez' || path === '/readyz') {
    const ok = path !== '/readyz' || (await deps.ready());
    res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(ok ? 'ok' : 'not ready');
    return;
  }
  if (path === '/version') return sendJson(res, 200, versionInfo(deps.gitCommit));

  const user = authenticateAudited(req, res, rr, url, deps.authenticator, deps.audit);
  if (badPath) throw badPath; // a bad name or namespace is the handler's 400, after authentication as in kube
  await deps.flowControl?.admit(req, res, user, rr, url.searchParams);
  trace.getActiveSpan()?.setAttribute('enduser.id', user.name);
  deps.authorizer?.authorize(attributesFor(user, req.method ?? 'GET', path, rr));

  if (path === '/metrics' && deps.metrics) return serveMetrics(req.method ?? 'GET', res, deps.metrics);
  if (path === '/api' || path === '/apis') {
    const aggregated = wantsAggregated(req);
    if (aggregated) return sendJson(res, 200, await withRemoteDiscovery(aggregatedDiscovery(deps.registry, path === '/api', aggregated), deps.aggregator!, path === '/api'), aggregated);
    return sendJson(res, 200, path === '/api' ? apiVersions(`${req.socket.localAddress}:${req.socket.localPort}`) : withRemoteGroups(apiGroupList(deps.registry), deps.aggregator!));
  }
  if (path === '/openapi/v2') return handleOpenApiV2(req, res, deps.registry);
  if (path === '/openapi/v3') return sendJson(res, 200, openApiV3Index(deps.registry));
  if (path.startsWith('/openapi/v3/')) {
    // Served as pre-serialized bytes so the body matches the hash in the index.
    const doc = openApiV3Serialized(deps.registry, path.slice('/openapi/v3/'.length));
    if (!doc) throw errors.notFoundPath();
    res.writeHead(200, { 'Content-Type': 'application/json', ETag: `"${doc.hash}"`, 'Content-Length': Buffer.byteLength(doc.body) });
    res.end(doc.body);
    return;
  }
  // A group an APIService delegates to another server (metrics.k8s.io): proxied, already authorized above.
  if (await deps.aggregator?.handle(req, res, path, url.search, user)) return;
  const gvParts = path.split('/').filter(Boolean);
  if (gvParts[0] === 'api' && gvParts.length === 2) return sendFound(res, apiResourceList(deps.registry, '', gvParts[1]));
  if (gvParts[0] === 'apis' && gvParts.length === 2) return sendFound(res, apiGroupDoc(deps.registry, gvParts[1]));
  if (gvParts[0] === 'apis' && gvParts.length === 3) return sendFound(res, apiResourceList(deps.registry, gvParts[1], gvParts[2]));

  if (!rr) throw errors.notFoundPath();
  checkAcceptable(req);
  if (isReviewRequest(rr) && deps.authorizer) return handleReview(req, res, rr, user, { authorizer: deps.authorizer, authenticator: deps.authenticator, maxRequestBytes: deps.maxRequestBytes });
  const info = deps.registry.lookup(rr.group, rr.version, rr.resource);
  // Custom resources have a store per served version; built-ins one per resource.
  const store = info && (deps.stores.get(`${info.group}/${info.version}/${info.resource}`) ?? deps.stores.get(`${info.group}/${info.resource}`));
  if (!info || !store) throw errors.notFoundPath();
  if (!info.namespaced && rr.namespace) throw errors.notFoundPath();
  // A namespaced resource without a namespace is served only as a list or watch across all
  // namespaces (kube registers no other route there): a name is 404, another verb 405.
  if (info.namespaced && !rr.namespace && ((rr.verb !== 'list' && rr.verb !== 'watch') || rr.name)) {
    throw rr.name ? errors.notFoundPath() : errors.methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
  if (rr.verb === 'watch') {
    const cache = deps.caches.get(`${info.group}/${info.resource}`);
    if (!cache) throw errors.notFoundPath();
    const view = store instanceof CustomResourceStore || store instanceof ConvertedVersionStore ? (o: KubeObject) => store.fromStorage(o) : undefined;
    return handleWatch(req, res, rr, info, cache, url.searchParams, { bookmarkIntervalSeconds: deps.bookmarkIntervalSeconds, currentRevision: () => store.store.currentRevision(), view });
  }
  if (info.resource === 'pods' && !info.group && rr.subresource === 'log' && rr.verb === 'get' && rr.name) {
    return handlePodLog(res, rr.namespace, rr.name, url.searchParams, { pods: store, nodes: deps.stores.get('/nodes')!, kubeletToken: deps.kubeletClientToken });
  }
  if (isPodStreamRequest(info, rr) && rr.namespace) {
    const createAttrs = { ...attributesFor(user, 'POST', path, rr), verb: 'create' };
    return handlePodStream(req, res, rr.namespace, rr.name, rr.subresource, url.searchParams, { pods: store, nodes: deps.stores.get('/nodes')!, kubeletToken: deps.kubeletClientToken, authorizeCreate: () => deps.authorizer?.authorize(createAttrs) });
  }
  if (info.resource === 'serviceaccounts' && !info.group && rr.subresource === 'token' && rr.verb === 'create' && rr.name && deps.serviceAccountTokens) {
    return handleTokenRequest(req, res, rr, deps.stores, deps.serviceAccountTokens, deps.maxRequestBytes, user);
  }
  const ctx = requestContext(user, url.searchParams);
  if (isPodEviction(info, rr)) return handlePodEviction(req, res, rr, evictionStores(deps.stores, store), ctx, deps.maxRequestBytes);
  await handleResource(req, res, rr, store, ctx, url.searchParams, { maxRequestBytes: deps.maxRequestBytes });
}

function requestContext(user: UserInfo, q: URLSearchParams): RequestContext {
  return { user, dryRun: dryRunOf(q), fieldValidation: fieldValidationOf(q), fieldManager: q.get('fieldManager') ?? undefined, traceparent: traceparentOf(), warnings: [] };
}

function sendFound(res: ServerResponse, doc: object | undefined): void {
  if (!doc) throw errors.notFoundPath();
  sendJson(res, 200, doc);
}
