// HTTP binding of POST .../pods/NAME/eviction: decode the Eviction (JSON, or protobuf from
// kubectl drain's typed client), evict, answer with the Status kube-apiserver returns.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors, isRecord, type ResourceInfo } from '@keelson/api';
import type { ResourceRequest } from '../http/request-info';
import { decodeBody, mediaType, readBody, sendJson } from '../http/io';
import { evictionDeleteOptions, evictPod, type EvictionStores } from '../registry/eviction';
import type { RequestContext } from '../registry/request-context';
import type { ResourceStore } from '../registry/resource-store';

export function isPodEviction(info: ResourceInfo, rr: ResourceRequest): boolean {
  return info.group === '' && info.resource === 'pods' && rr.subresource === 'eviction';
}

export async function handlePodEviction(
  req: IncomingMessage,
  res: ServerResponse,
  rr: ResourceRequest,
  stores: EvictionStores,
  ctx: RequestContext,
  maxRequestBytes: number,
): Promise<void> {
  if (rr.verb !== 'create' || !rr.name || !rr.namespace) throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
  const body = decodeBody(await readBody(req, maxRequestBytes), mediaType(req));
  const opts = evictionDeleteOptions(body, rr.name);
  // The Eviction's own DeleteOptions may ask for a dry run, like the request's query.
  const deleteOptions = isRecord(body) && isRecord(body.deleteOptions) ? body.deleteOptions : {};
  const dryRun = ctx.dryRun || (Array.isArray(deleteOptions.dryRun) && deleteOptions.dryRun.includes('All'));
  const result = await evictPod(stores, rr.namespace, rr.name, opts, { ...ctx, dryRun });
  sendJson(res, result.code, result.status);
}

/** The stores an eviction reads: pods, budgets, and the controllers whose scale budgets count. */
export function evictionStores(stores: Map<string, ResourceStore>, pods: ResourceStore): EvictionStores {
  const budgets = stores.get('policy/poddisruptionbudgets');
  if (!budgets) throw errors.notFoundPath();
  return {
    pods,
    podDisruptionBudgets: budgets,
    replicaSets: stores.get('apps/replicasets'),
    deployments: stores.get('apps/deployments'),
    statefulSets: stores.get('apps/statefulsets'),
    leases: stores.get('coordination.k8s.io/leases'),
  };
}
