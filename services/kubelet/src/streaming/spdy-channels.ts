// exec and attach over SPDY/3.1 (what kubectl falls back to when the WebSocket upgrade fails, or
// uses with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false): kubelet cri/streaming/remotecommand/httpstream.go.
// The client opens one SPDY stream per channel, named by its `streamType` header (error, stdin,
// stdout, stderr, resize); the session starts once every stream the query asked for exists.
// Stdin's FIN is its EOF; resize carries a run of {"Width","Height"} JSON objects; the final
// Status goes on the error stream (v4 and later), then the connection closes.
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { parseSize, STDERR, STDOUT, type StreamSession, type StreamStatus } from './channels';
import { SpdySession, type SpdyStream } from './spdy';

/** What the kubelet answers in X-Stream-Protocol-Version (v4 semantics: a Status on the error stream). */
export const SPDY_CHANNEL_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

const STREAM_WAIT_MS = 30_000; // kubelet's default stream creation timeout

export interface ExpectedStreams {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/**
 * Resolves once the client has opened the streams `want` names (error always; resize with a TTY),
 * or rejects after 30 s.
 */
export function spdyChannelSession(transport: Duplex, want: ExpectedStreams): Promise<StreamSession> {
  const spdy = new SpdySession(transport);
  const needed = new Set(['error', ...(want.stdin ? ['stdin'] : []), ...(want.stdout ? ['stdout'] : []), ...(want.stderr ? ['stderr'] : []), ...(want.tty ? ['resize'] : [])]);
  const streams = new Map<string, SpdyStream>();
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      spdy.close();
      fail(new Error(`timed out waiting for client to create streams (${[...needed].filter((n) => !streams.has(n)).join(', ')})`));
    }, STREAM_WAIT_MS);
    spdy.on('close', () => {
      clearTimeout(timer);
      fail(new Error('the client left before creating its streams'));
    });
    spdy.on('stream', (s: SpdyStream) => {
      const type = s.headers.get('streamtype') ?? '';
      if (!needed.has(type) || streams.has(type)) return s.reset();
      streams.set(type, s);
      if (streams.size === needed.size) {
        clearTimeout(timer);
        spdy.removeAllListeners('close');
        ok(new SpdyChannelSession(spdy, streams));
      }
    });
  });
}

class SpdyChannelSession extends EventEmitter implements StreamSession {
  private done = false;

  constructor(private readonly spdy: SpdySession, private readonly streams: Map<string, SpdyStream>) {
    super();
    const stdin = streams.get('stdin');
    if (stdin) {
      stdin.on('data', (d: Buffer) => this.emit('stdin', d));
      stdin.on('end', () => this.emit('stdin-end'));
    }
    const resize = streams.get('resize');
    if (resize) {
      let pending = '';
      resize.on('data', (d: Buffer) => {
        pending += d.toString('utf8');
        // A stream of JSON objects (Go's json.Encoder): each ends with '}' (sizes have no nesting).
        let end: number;
        while ((end = pending.indexOf('}')) >= 0) {
          const size = parseSize(Buffer.from(pending.slice(0, end + 1)));
          pending = pending.slice(end + 1);
          if (size) this.emit('resize', size);
        }
      });
    }
    streams.get('error')?.resume();
    spdy.on('close', () => {
      if (!stdin?.readableEnded) this.emit('stdin-end');
      if (!this.done) {
        this.done = true;
        this.emit('gone');
      }
    });
  }

  get closed(): boolean {
    return this.done;
  }

  write(channel: typeof STDOUT | typeof STDERR, data: Buffer): Promise<void> {
    const s = this.streams.get(channel === STDOUT ? 'stdout' : 'stderr');
    if (this.done || !s || s.writableEnded) return Promise.resolve();
    return new Promise((ok) => s.write(data, () => ok()));
  }

  finish(status: StreamStatus): void {
    if (this.done) return;
    this.done = true;
    const error = this.streams.get('error');
    error?.write(Buffer.from(JSON.stringify(status)));
    for (const s of this.streams.values()) if (!s.writableEnded) s.end();
    // Let the FINs go out, then end the connection as the kubelet does.
    setTimeout(() => this.spdy.close(), 100).unref();
  }
}
