// `kubectl port-forward` (protocol portforward.k8s.io, kubelet cri/streaming/portforward/httpstream.go):
// over one SPDY session the client opens, per local connection, an error stream and a data stream
// carrying headers `streamType` (error|data), `port` and `requestID`. The kubelet dials the port
// in the pod and copies bytes between the data stream and that TCP connection; a failure is
// written as text on the error stream; both streams are half-closed (FIN) when the connection ends.
// kubectl ≥ 1.31 tunnels that SPDY session in WebSocket binary messages (subprotocol
// SPDY/3.1+portforward.k8s.io, client-go tools/portforward/tunneling_connection.go).
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { Duplex } from 'node:stream';
import { createWebSocketStream, type WebSocket } from 'ws';
import type { Logger } from '@keelson/telemetry';
import { SpdySession, type SpdyStream } from './spdy';

export const PORTFORWARD_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

/** The WebSocket's binary messages as one byte stream (what TunnelingConnection makes of them). */
export function webSocketStream(ws: WebSocket): Duplex {
  return createWebSocketStream(ws);
}

interface Pair {
  error?: SpdyStream;
  data?: SpdyStream;
  port: number;
}

/**
 * Opens a connection to `port` in the pod: a TCP socket, or a relay process in the pod's network
 * namespace. Resolves to the byte stream, or rejects with the message for the error stream.
 */
export type PodDialer = (port: number) => Promise<Duplex>;

/** The pod shares the kubelet's network (host network, or no kubelet privileges): plain TCP. */
export function tcpDialer(host: string): PodDialer {
  return (port) => new Promise((ok, fail) => {
    const sock = connect({ host, port });
    sock.once('connect', () => ok(sock));
    sock.once('error', (err) => fail(new Error(`failed to connect to ${host}:${port}: ${err.message}`)));
  });
}

// argv[1] is the port. Connects to localhost inside the namespace it runs in and copies stdin to
// the socket (half-closing it at EOF) and the socket to stdout; a refused connection is a message
// on stderr and exit 1.
const RELAY = String.raw`
import os, socket, sys, threading
port = int(sys.argv[1])
try:
    s = socket.create_connection(("127.0.0.1", port))
except OSError as e:
    sys.stderr.write("failed to connect to localhost:%d inside namespace: %s" % (port, e.strerror))
    sys.exit(1)
sys.stdout.write("+")
sys.stdout.flush()
def upstream():
    while True:
        data = os.read(0, 65536)
        if not data:
            break
        s.sendall(data)
    try:
        s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
threading.Thread(target=upstream, daemon=True).start()
while True:
    data = s.recv(65536)
    if not data:
        break
    while data:
        data = data[os.write(1, data):]
`;

/**
 * kube's kubelet dials localhost inside the pod's network namespace (so a server bound to
 * 127.0.0.1 in the pod is reachable too): a small relay joins the namespace of the pod's
 * container process `pid` with nsenter (root only) and connects there. It prints one "+" once
 * connected, so a refused port is told apart from an empty answer.
 */
export function netnsDialer(pid: number): PodDialer {
  return (port) => new Promise((ok, fail) => {
    const child = spawn('nsenter', [`--target=${pid}`, '--net', '--', 'python3', '-c', RELAY, String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let connected = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => fail(new Error(`failed to start a relay into the pod's network namespace: ${err.message}`)));
    child.on('close', (code) => {
      if (!connected) fail(new Error(stderr.trim() || `relay into the pod's network namespace exited ${code}`));
    });
    child.stdout.once('readable', function first() {
      const mark = child.stdout.read(1) as Buffer | null;
      if (mark === null) return void child.stdout.once('readable', first);
      connected = true;
      const stream = Duplex.from({ readable: child.stdout, writable: child.stdin });
      stream.on('close', () => child.kill('SIGKILL'));
      ok(stream);
    });
  });
}

export function servePortForward(transport: Duplex, dial: PodDialer, log: Logger): void {
  const session = new SpdySession(transport);
  const pairs = new Map<string, Pair>();
  session.on('protocol-error', (err: Error) => log.warn('port-forward session failed', { err: err.message }));
  session.on('stream', (stream: SpdyStream) => {
    const type = stream.headers.get('streamtype');
    const port = Number(stream.headers.get('port'));
    const requestID = stream.headers.get('requestid') ?? '';
    if ((type !== 'error' && type !== 'data') || !Number.isInteger(port) || port < 1 || port > 65535) {
      stream.reset();
      return;
    }
    const pair = pairs.get(requestID) ?? { port };
    pairs.set(requestID, pair);
    pair[type] = stream;
    // The client never writes on the error stream; its FIN must not end anything.
    if (type === 'error') stream.resume();
    if (pair.error && pair.data) {
      pairs.delete(requestID);
      forward(pair.data, pair.error, dial, port);
    }
  });
}

function forward(data: SpdyStream, error: SpdyStream, dial: PodDialer, port: number): void {
  const finish = (): void => {
    if (!error.writableEnded) error.end();
    if (!data.writableEnded) data.end();
  };
  dial(port).then((conn) => {
    conn.on('error', () => finish());
    data.pipe(conn); // the client's FIN on the data stream half-closes the pod's connection
    conn.pipe(data, { end: false });
    conn.on('end', finish);
    conn.on('close', finish);
    data.on('error', () => conn.destroy());
    data.on('close', () => conn.destroy());
  }, (err: Error) => {
    // kubelet's message shape: "error forwarding port 8080 to pod <id>, uid : <cause>".
    error.write(Buffer.from(`error forwarding port ${port} to pod: ${err.message}`));
    finish();
    data.destroy();
  });
}
