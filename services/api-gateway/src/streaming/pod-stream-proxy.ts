// pods/exec, pods/attach and pods/portforward: kube-apiserver's streaming subresources. The gateway
// authenticates and authorizes the request like any other, finds the pod's kubelet, and proxies the
// connection upgrade (WebSocket `v5.channel.k8s.io`, `SPDY/3.1+portforward.k8s.io`, or SPDY/3.1)
// to the kubelet's streaming endpoint, then splices the two sockets: the protocols themselves are
// spoken end to end between kubectl and the kubelet, as kube-apiserver's UpgradeAwareHandler does.
//
// Node's HTTP server hands an upgrade request to an 'upgrade' listener with the raw socket, not to
// the request listener. `upgradeListener` gives it a ServerResponse bound to that socket and runs
// the gateway's normal request listener, so authentication, audit, flow control, RBAC, tracing and
// Status errors all apply unchanged; this module then takes the socket over once the kubelet agrees.
import { request, ServerResponse, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError, errors, isRecord } from '@keelson/api';
import type { ResourceStore } from '../registry/resource-store';
import { kubeletEndpoint, podContainer } from '../handlers/pod-logs';

export const STREAM_SUBRESOURCES = ['exec', 'attach', 'portforward'] as const;
export type StreamSubresource = (typeof STREAM_SUBRESOURCES)[number];

/** The kubelet server's path segment for each subresource (kubelet server.go's routes). */
const KUBELET_ROUTE: Record<StreamSubresource, string> = { exec: 'exec', attach: 'attach', portforward: 'portForward' };

/** Client headers the kubelet needs to negotiate the protocol itself. */
const FORWARDED_HEADERS = /^(upgrade|connection|sec-websocket-.*|x-stream-protocol-version)$/i;

interface UpgradeState {
  socket: Duplex;
  head: Buffer;
}
const upgrades = new WeakMap<IncomingMessage, UpgradeState>();

export function isPodStreamRequest(info: { group: string; resource: string }, rr: { subresource?: string; name?: string }): rr is { subresource: StreamSubresource; name: string } {
  return info.resource === 'pods' && !info.group && !!rr.name && (STREAM_SUBRESOURCES as readonly string[]).includes(rr.subresource ?? '');
}

/**
 * The HTTPS server's 'upgrade' listener: runs `listener` (the gateway's request listener) with a
 * response written to the upgraded socket, remembering the socket for `handlePodStream`.
 */
export function upgradeListener(listener: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    upgrades.set(req, { socket, head });
    const res = new ServerResponse(req);
    // Answers that are not an upgrade (errors) close the connection: the client cannot reuse it.
    res.shouldKeepAlive = false;
    res.assignSocket(socket as never);
    res.on('finish', () => socket.end());
    listener(req, res);
  };
}

export interface PodStreamDeps {
  pods: ResourceStore;
  nodes: ResourceStore;
  kubeletToken?: string;
  /**
   * Authorizes `create` on the subresource. A WebSocket upgrade is a GET (authorized as `get` by
   * the usual path); kube ≥ 1.31 also requires `create` for it (AuthorizePodWebsocketUpgradeCreatePermission).
   */
  authorizeCreate: () => void;
}

export async function handlePodStream(req: IncomingMessage, res: ServerResponse, namespace: string, name: string, subresource: StreamSubresource, query: URLSearchParams, deps: PodStreamDeps): Promise<void> {
  if (req.method === 'GET') deps.authorizeCreate();
  else if (req.method !== 'POST') throw errors.methodNotAllowed(`the server does not allow this method on the requested resource`);
  const up = upgrades.get(req);
  if (!up || !req.headers.upgrade) throw errors.badRequest('Upgrade request required');

  const pod = await deps.pods.get(namespace, name);
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const phase = isRecord(pod.status) ? pod.status.phase : undefined;
  let path: string;
  if (subresource === 'portforward') {
    if (phase === 'Succeeded' || phase === 'Failed') throw errors.badRequest(`cannot port-forward to a completed pod; current phase is ${phase}`);
    path = `/${KUBELET_ROUTE[subresource]}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}?${query}`;
  } else {
    const container = podContainer(pod, name, query.get('container') ?? '');
    // kube-apiserver's checks (pkg/registry/core/pod/strategy.go streamLocation).
    if (phase === 'Succeeded' || phase === 'Failed') throw errors.badRequest(`cannot ${subresource} into a container in a completed pod; current phase is ${phase}`);
    path = `/${KUBELET_ROUTE[subresource]}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}?${query}`;
  }
  const nodeName = typeof spec.nodeName === 'string' ? spec.nodeName : '';
  if (!nodeName) throw errors.badRequest(`pod ${name} does not have a host assigned`);
  const { host, port } = kubeletEndpoint(await deps.nodes.get(undefined, nodeName), nodeName);

  // Repeated headers stay repeated: SPDY clients send one X-Stream-Protocol-Version per protocol.
  const headers: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (FORWARDED_HEADERS.test(req.rawHeaders[i])) (headers[req.rawHeaders[i].toLowerCase()] ??= []).push(req.rawHeaders[i + 1]);
  }
  if (deps.kubeletToken) headers.authorization = [`Bearer ${deps.kubeletToken}`];

  await new Promise<void>((done, fail) => {
    const upstreamReq = request({ host, port, path, method: req.method, headers });
    upstreamReq.on('error', (err) => fail(errors.internal(`error dialing backend: dial kubelet of node ${nodeName} (${host}:${port}): ${err.message}`)));
    // The kubelet refused (container not running, bad options…): its answer becomes a Status.
    upstreamReq.on('response', (upstream) => {
      const chunks: Buffer[] = [];
      upstream.on('data', (c: Buffer) => chunks.push(c));
      upstream.on('error', () => undefined);
      upstream.on('end', () => fail(kubeletError(upstream.statusCode ?? 500, Buffer.concat(chunks).toString('utf8').trim(), name)));
    });
    upstreamReq.on('upgrade', (upstream, kubeletSocket, kubeletHead) => {
      splice(res, up, upstream, kubeletSocket, kubeletHead);
      done();
    });
    upstreamReq.end();
  });
}

/** Writes the kubelet's 101 to the client and joins the two sockets until either side ends. */
function splice(res: ServerResponse, client: UpgradeState, upstream: IncomingMessage, kubelet: Duplex, kubeletHead: Buffer): void {
  const { socket } = client;
  res.detachSocket(socket as never);
  res.statusCode = 101;
  // The request's span, metrics and flow-control seat end when the stream does.
  socket.once('close', () => res.emit('close'));
  let head = `HTTP/1.1 101 ${upstream.statusMessage || 'Switching Protocols'}\r\n`;
  for (let i = 0; i < upstream.rawHeaders.length; i += 2) head += `${upstream.rawHeaders[i]}: ${upstream.rawHeaders[i + 1]}\r\n`;
  socket.write(head + '\r\n');
  if (kubeletHead.length) socket.write(kubeletHead);
  if (client.head.length) kubelet.write(client.head);
  kubelet.on('error', () => socket.destroy());
  socket.on('error', () => kubelet.destroy());
  kubelet.pipe(socket);
  socket.pipe(kubelet);
  kubelet.on('close', () => socket.destroy());
  socket.on('close', () => kubelet.destroy());
}

function kubeletError(code: number, message: string, pod: string): ApiError {
  if (code === 404) return errors.notFound('pods', pod);
  if (code === 400) return errors.badRequest(message);
  if (code === 401 || code === 403) return errors.internal(`the kubelet refused the gateway's credentials: ${message}`);
  return new ApiError(code >= 500 ? 500 : code, 'InternalError', message);
}
