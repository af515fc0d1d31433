// The gateway's /metrics: kube-apiserver's request and etcd metrics plus the relay's.
import type { ServerResponse } from 'node:http';
import { errors } from '@keelson/api';
import type { GatewayMetrics } from './gateway-metrics';

export { GatewayMetrics, etcdTypeOf, type GatewayMetricSources, type PublishObserver } from './gateway-metrics';
export { instrumentRequest, isLongRunning, metricScope, metricVerb } from './request-metrics';

/** Serves the Prometheus text exposition (the caller has authorized the request). */
export async function serveMetrics(method: string, res: ServerResponse, m: GatewayMetrics): Promise<void> {
  if (method !== 'GET' && method !== 'HEAD') throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
  const { contentType, body } = await m.exposition();
  res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(method === 'HEAD' ? undefined : body);
}
