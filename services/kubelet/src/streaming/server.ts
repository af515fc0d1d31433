// The kubelet's streaming endpoints (kubelet server.go's routes), reached only through the
// gateway's pods/exec, pods/attach and pods/portforward proxy and only with the gateway's token:
//   /exec/{namespace}/{pod}/{container}?command=…&stdin&stdout&stderr&tty   WebSocket v5/v4.channel.k8s.io
//   /attach/{namespace}/{pod}/{container}?stdin&stdout&stderr&tty           idem
//   /portForward/{namespace}/{pod}        WebSocket `SPDY/3.1+portforward.k8s.io` (SPDY tunnelled in
//                                          binary messages, kubectl ≥ 1.31) or a plain SPDY/3.1 upgrade
// Served on the log server's port (log-server.ts hands it every upgrade request).
import { bearerTokenMatches } from '@keelson/controller-runtime';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '@keelson/telemetry';
import { allContainers, type Pod } from '../types';
import { runAttach, type AttachTarget } from './attach';
import { CHANNEL_PROTOCOLS, ChannelSession, failure, type ChannelProtocol, type StreamSession } from './channels';
import { SPDY_CHANNEL_PROTOCOLS, spdyChannelSession } from './spdy-channels';
import { canEnterNamespaces, containerProcess, pidOf } from './container-process';
import { runExec } from './exec';
import { netnsDialer, PORTFORWARD_TUNNEL_PROTOCOL, servePortForward, tcpDialer, webSocketStream, type PodDialer } from './port-forward';

export interface StreamPod {
  pod: Pod;
  containerID(container: string): string | undefined;
}

export interface StreamLookup {
  pod(namespace: string, name: string): StreamPod | undefined;
  attach(namespace: string, name: string, container: string): AttachTarget | undefined;
  /** Where the pod's ports are reached (its IP, or 127.0.0.1 on the host network). */
  portForwardHost(pod: Pod): string;
}

export interface StreamingServerOptions {
  authToken?: string;
  lookup: StreamLookup;
  log: Logger;
}

const TUNNEL_STANDIN = 'keelson.portforward-tunnel';

type Route = { kind: 'exec' | 'attach'; namespace: string; pod: string; container: string } | { kind: 'portForward'; namespace: string; pod: string };

export class StreamingServer {
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (offered) => [...CHANNEL_PROTOCOLS, TUNNEL_STANDIN].find((p) => offered.has(p)) ?? false,
  });

  constructor(private readonly opts: StreamingServerOptions) {
    // `SPDY/3.1+portforward.k8s.io` is not an RFC 6455 token ('/' is a separator), which `ws`
    // refuses to parse: the request carries a stand-in, and the answer names the real protocol.
    this.wss.on('headers', (headers: string[]) => {
      const i = headers.indexOf(`Sec-WebSocket-Protocol: ${TUNNEL_STANDIN}`);
      if (i >= 0) headers[i] = `Sec-WebSocket-Protocol: ${PORTFORWARD_TUNNEL_PROTOCOL}`;
    });
  }

  /** The HTTP server's 'upgrade' listener. */
  readonly upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    this.handle(req, socket, head).catch((err: unknown) => {
      this.opts.log.warn('streaming request failed', { path: req.url, err: String(err) });
      refuse(socket, 500, err instanceof Error ? err.message : String(err));
    });
  };

  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }

  private async handle(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (!this.authorized(req)) return refuse(socket, 401, 'Unauthorized');
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const route = parseRoute(url.pathname);
    if (!route) return refuse(socket, 404, 'not found');
    const target = this.opts.lookup.pod(route.namespace, route.pod);
    if (!target) return refuse(socket, 404, `pod ${route.namespace}/${route.pod} not found on this node`);
    const q = url.searchParams;
    const flag = (k: string): boolean => ['true', '1'].includes(q.get(k) ?? '');
    const isWebSocket = String(req.headers.upgrade ?? '').toLowerCase() === 'websocket';

    if (route.kind === 'portForward') {
      const dial = this.dialerFor(target, await canEnterNamespaces());
      if (isWebSocket) {
        if (!offers(req, PORTFORWARD_TUNNEL_PROTOCOL)) return refuse(socket, 400, `port-forward over WebSockets needs the subprotocol ${PORTFORWARD_TUNNEL_PROTOCOL}`);
        req.headers['sec-websocket-protocol'] = TUNNEL_STANDIN;
        return this.wss.handleUpgrade(req, socket, head, (ws) => servePortForward(webSocketStream(ws), dial, this.opts.log));
      }
      if (/^SPDY\/3\.1$/i.test(String(req.headers.upgrade ?? ''))) {
        if (!String(req.headers['x-stream-protocol-version'] ?? '').split(/\s*,\s*/).includes('portforward.k8s.io')) return refuse(socket, 400, 'unable to negotiate a port-forward protocol (portforward.k8s.io)');
        socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n');
        if (head.length) socket.unshift(head);
        return servePortForward(socket, dial, this.opts.log);
      }
      return refuse(socket, 400, 'Upgrade request required (websocket or SPDY/3.1)');
    }

    const spec = allContainers(target.pod).find((c) => c.name === route.container);
    if (!spec) return refuse(socket, 404, `container not found (${JSON.stringify(route.container)})`);
    const pid = pidOf(target.containerID(route.container));
    if (pid === undefined) return refuse(socket, 400, `container ${route.container} is not running`);
    const io = { stdin: flag('stdin'), stdout: flag('stdout'), stderr: flag('stderr'), tty: flag('tty') };
    if (!io.stdin && !io.stdout && !io.stderr) return refuse(socket, 400, 'you must specify at least 1 of stdin, stdout, stderr');
    let accept: (run: (session: StreamSession) => void) => void;
    if (isWebSocket) {
      if (!CHANNEL_PROTOCOLS.some((p) => offers(req, p))) return refuse(socket, 400, `unable to negotiate a streaming protocol: the client offered none of ${CHANNEL_PROTOCOLS.join(', ')}`);
      accept = (run) => this.accept(req, socket, head, run);
    } else if (/^SPDY\/3\.1$/i.test(String(req.headers.upgrade ?? ''))) {
      const offered = String(req.headers['x-stream-protocol-version'] ?? '').split(/\s*,\s*/);
      const protocol = offered.find((p) => (SPDY_CHANNEL_PROTOCOLS as readonly string[]).includes(p));
      if (!protocol) return refuse(socket, 400, `unable to negotiate a streaming protocol: the client offered none of ${SPDY_CHANNEL_PROTOCOLS.join(', ')}`);
      accept = (run) => {
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
        if (head.length) socket.unshift(head);
        spdyChannelSession(socket, io).then(run, (err: Error) => this.opts.log.info('exec/attach over SPDY ended before it started', { err: err.message }));
      };
    } else {
      return refuse(socket, 400, 'Upgrade request required (websocket or SPDY/3.1)');
    }

    if (route.kind === 'exec') {
      const command = q.getAll('command');
      if (!command.length) return refuse(socket, 400, 'you must specify at least one command for the container');
      const proc = await containerProcess(pid);
      if (!proc) return refuse(socket, 400, `container ${route.container} is not running`);
      const enter = await canEnterNamespaces();
      return accept((session) => runExec(session, proc, { command, ...io, stderr: io.stderr && !io.tty }, enter));
    }
    const attach = this.opts.lookup.attach(route.namespace, route.pod, route.container);
    if (!attach) return refuse(socket, 400, `container ${route.container} is not running`);
    return accept((session) => {
      runAttach(session, attach, io).catch((err: unknown) => session.finish(failure(String(err))));
    });
  }

  /**
   * Where namespaces can be joined (root, nsenter works), through the network namespace of one of
   * the pod's running containers (kube dials localhost in the pod); otherwise TCP to the pod's IP.
   */
  private dialerFor(target: StreamPod, enter: boolean): PodDialer {
    const pid = target.pod.spec.containers.map((c) => pidOf(target.containerID(c.name))).find((p) => p !== undefined);
    return enter && pid !== undefined ? netnsDialer(pid) : tcpDialer(this.opts.lookup.portForwardHost(target.pod));
  }

  private accept(req: IncomingMessage, socket: Duplex, head: Buffer, run: (session: ChannelSession) => void): void {
    this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => run(new ChannelSession(ws, ws.protocol as ChannelProtocol)));
  }

  private authorized(req: IncomingMessage): boolean {
    return bearerTokenMatches(req, this.opts.authToken);
  }
}

function parseRoute(path: string): Route | undefined {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if ((parts[0] === 'exec' || parts[0] === 'attach') && parts.length === 4) return { kind: parts[0], namespace: parts[1], pod: parts[2], container: parts[3] };
  if (parts[0] === 'portForward' && parts.length === 3) return { kind: 'portForward', namespace: parts[1], pod: parts[2] };
  return undefined;
}

function offers(req: IncomingMessage, protocol: string): boolean {
  return String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).includes(protocol);
}

/** An HTTP error on a socket that asked to upgrade (the gateway turns it into a Status). */
function refuse(socket: Duplex, code: number, message: string): void {
  if (!socket.writable) return void socket.destroy();
  const body = Buffer.from(message);
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found' }[code] ?? 'Internal Server Error';
  socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${message}`);
}
