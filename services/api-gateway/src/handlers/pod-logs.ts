// GET …/pods/{name}/log: kube-apiserver's pod log REST, proxied to the kubelet of the pod's
// node (its InternalIP and status.daemonEndpoints.kubeletEndpoint.Port). Streams the body as
// it comes, so `kubectl logs -f` follows until the container ends or the client leaves.
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { ApiError, errors, isRecord, type KubeObject } from '@keelson/api';
import type { ResourceStore } from '../registry/resource-store';
import { booleanParamOf } from './params';
import { clientGone } from '../http/io';

const FORWARDED = ['tailLines', 'limitBytes', 'sinceSeconds'];
/** Booleans are forwarded canonical ("true"/"false"): the kubelet needs no parser of its own. */
const FORWARDED_BOOLEANS = ['follow', 'previous', 'timestamps'];

export interface PodLogDeps {
  pods: ResourceStore;
  nodes: ResourceStore;
  /** Sent to kubelets as a bearer token (their KEELSON_KUBELET_AUTH_TOKEN); GatewayConfig.kubeletClientToken. */
  kubeletToken?: string;
}

const namesOf = (list: unknown): string[] => (Array.isArray(list) ? list : []).filter(isRecord).map((c) => String(c.name));

/**
 * The container a log, exec or attach request is for (the pod strategy's validateContainer): the
 * only app container when none is named; a named one must be an app, init or ephemeral container.
 */
export function podContainer(pod: KubeObject, name: string, asked: string): string {
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const containers = namesOf(spec.containers);
  if (!asked) {
    if (containers.length === 1) return containers[0];
    const init = namesOf(spec.initContainers);
    throw errors.badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${init.length ? ` or one of the init containers: [${init.join(' ')}]` : ''}`);
  }
  if (![...containers, ...namesOf(spec.initContainers), ...namesOf(spec.ephemeralContainers)].includes(asked)) throw errors.badRequest(`container ${asked} is not valid for pod ${name}`);
  return asked;
}

export async function handlePodLog(res: ServerResponse, namespace: string | undefined, name: string, query: URLSearchParams, deps: PodLogDeps): Promise<void> {
  const pod = await deps.pods.get(namespace, name);
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const container = podContainer(pod, name, query.get('container') ?? '');
  const nodeName = typeof spec.nodeName === 'string' ? spec.nodeName : '';
  if (!nodeName) throw errors.badRequest(`pod ${name} does not have a host assigned`);
  const { host, port } = kubeletEndpoint(await deps.nodes.get(undefined, nodeName), nodeName);

  const q = new URLSearchParams();
  for (const k of FORWARDED) {
    const v = query.get(k);
    if (v !== null) q.set(k, v);
  }
  for (const k of FORWARDED_BOOLEANS) {
    const v = booleanParamOf(query, k);
    if (v !== undefined) q.set(k, String(v));
  }
  const path = `/containerLogs/${encodeURIComponent(namespace ?? 'default')}/${encodeURIComponent(name)}/${encodeURIComponent(container)}?${q}`;
  const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request({ host, port, path, method: 'GET', headers: deps.kubeletToken ? { Authorization: `Bearer ${deps.kubeletToken}` } : {} }, resolve);
    req.on('error', (err) => reject(errors.internal(`dial kubelet of node ${nodeName} (${host}:${port}): ${err.message}`)));
    req.end();
  });
  if (upstream.statusCode !== 200) {
    const chunks: Buffer[] = [];
    for await (const c of upstream) chunks.push(c as Buffer);
    const msg = Buffer.concat(chunks).toString('utf8').trim();
    const code = upstream.statusCode ?? 500;
    throw code === 404 ? errors.notFound('pods', name) : code === 400 ? errors.badRequest(msg) : new ApiError(code >= 500 ? 500 : code, 'InternalError', msg);
  }
  // The client leaving ends the kubelet stream too (a follow would otherwise run forever), also
  // when it left while the kubelet was being dialled ('close' has fired already then).
  if (clientGone(res)) return void upstream.destroy();
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache' });
  res.flushHeaders();
  res.on('close', () => upstream.destroy());
  upstream.pipe(res);
}

export function kubeletEndpoint(node: KubeObject, nodeName: string): { host: string; port: number } {
  const status = isRecord(node.status) ? node.status : {};
  const addresses = (Array.isArray(status.addresses) ? status.addresses : []).filter(isRecord);
  const host = String(addresses.find((a) => a.type === 'InternalIP')?.address ?? addresses[0]?.address ?? '');
  const ep = isRecord(status.daemonEndpoints) && isRecord(status.daemonEndpoints.kubeletEndpoint) ? status.daemonEndpoints.kubeletEndpoint : {};
  const port = Number(ep.Port);
  if (!host || !port) throw errors.badRequest(`node ${nodeName} has no kubelet endpoint (address and daemonEndpoints.kubeletEndpoint.Port)`);
  return { host, port };
}
