// `kubectl port-forward` (protocol portforward.k8s.io, kubelet cri/streaming/portforward/httpstream.go):
// over one SPDY session the client opens, per local connection, an error stream and a data stream
// carrying headers `streamType` (error|data), `port` and `requestID`. The kubelet dials the port
// in the pod and copies bytes between the data stream and that TCP connection; a failure is
// written as text on the error stream; both streams are half-closed (FIN) when the connection ends.
// kubectl ≥ 1.31 tunnels that SPDY session in WebSocket binary messages (subprotocol
// SPDY/3.1+portforward.k8s.io, client-go tools/portforward/tunneling_connection.go).
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
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

export function servePortForward(transport: Duplex, host: string, log: Logger): void {
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
      forward(pair.data, pair.error, host, port);
    }
  });
}

function forward(data: SpdyStream, error: SpdyStream, host: string, port: number): void {
  const sock = connect({ host, port });
  let failed = false;
  const finish = (): void => {
    if (!error.writableEnded) error.end();
    if (!data.writableEnded) data.end();
  };
  sock.on('error', (err) => {
    if (failed) return;
    failed = true;
    // kubelet's message: "error forwarding port 8080 to pod …, uid : failed to connect to localhost:8080 …".
    error.write(Buffer.from(`error forwarding port ${port} to pod: ${host}:${port}: ${err.message}`));
    finish();
    data.destroy();
  });
  sock.on('connect', () => {
    data.pipe(sock); // the client's FIN on the data stream half-closes the TCP connection
    sock.pipe(data, { end: false });
  });
  sock.on('end', () => {
    if (!failed) finish();
  });
  sock.on('close', () => {
    if (!failed) finish();
  });
  data.on('error', () => sock.destroy());
  data.on('close', () => sock.destroy());
}
