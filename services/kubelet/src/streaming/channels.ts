// The Kubernetes remote-command channel protocol over WebSockets (apimachinery wsstream and
// client-go tools/remotecommand/websocket.go): every binary message starts with a channel byte —
// 0 stdin, 1 stdout, 2 stderr, 3 error (a Status, then the end), 4 resize ({"Width","Height"}) —
// and in v5.channel.k8s.io a message [255, n] half-closes channel n (the client's stdin EOF).
// kubectl 1.32 offers only v5; v4 (no close signal) is accepted for older clients.
import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';

export const CHANNEL_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;
export type ChannelProtocol = (typeof CHANNEL_PROTOCOLS)[number];

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
const CLOSE = 255;

export interface TerminalSize {
  width: number;
  height: number;
}

/** A Status as the error channel carries it (metav1.Status JSON, no TypeMeta, as the kubelet writes it). */
export interface StreamStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: { reason: string; message: string }[] };
}

export const success = (): StreamStatus => ({ metadata: {}, status: 'Success' });

/** kubelet's exit-code Status (kubelet/cri/streaming/remotecommand: NonZeroExitCode with an ExitCode cause). */
export function exitStatus(argv: string[], code: number): StreamStatus {
  if (code === 0) return success();
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

export const failure = (message: string): StreamStatus => ({ metadata: {}, status: 'Failure', message, reason: 'InternalError' });

/**
 * What exec and attach talk to, whatever carries it (WebSocket channels here, SPDY streams in
 * spdy-session.ts). Emits 'stdin' (Buffer), 'stdin-end', 'resize' (TerminalSize) and 'gone'.
 */
export interface StreamSession extends EventEmitter {
  readonly closed: boolean;
  write(channel: typeof STDOUT | typeof STDERR, data: Buffer): Promise<void>;
  finish(status: StreamStatus): void;
}

/**
 * One exec/attach session's channels over an accepted WebSocket. Emits 'stdin' (Buffer),
 * 'stdin-end' (the client closed stdin or left), 'resize' (TerminalSize) and 'gone' (the
 * connection closed before `finish`).
 */
export class ChannelSession extends EventEmitter implements StreamSession {
  private done = false;
  private stdinEnded = false;

  constructor(private readonly ws: WebSocket, readonly protocol: ChannelProtocol) {
    super();
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary || data.length === 0) return;
      const channel = data[0];
      const body = data.subarray(1);
      if (channel === STDIN) {
        if (body.length) this.emit('stdin', Buffer.from(body));
      } else if (channel === RESIZE) {
        const size = parseSize(body);
        if (size) this.emit('resize', size);
      } else if (channel === CLOSE && protocol === 'v5.channel.k8s.io' && body[0] === STDIN) {
        this.endStdin();
      }
    });
    ws.on('close', () => {
      this.endStdin();
      if (!this.done) {
        this.done = true;
        this.emit('gone');
      }
    });
    ws.on('error', () => ws.terminate());
  }

  get closed(): boolean {
    return this.done;
  }

  /** Sends `data` on stdout or stderr; resolves once handed to the socket (back-pressure). */
  write(channel: typeof STDOUT | typeof STDERR, data: Buffer): Promise<void> {
    if (this.done) return Promise.resolve();
    return new Promise((ok) => this.ws.send(Buffer.concat([Buffer.from([channel]), data]), { binary: true }, () => ok()));
  }

  /** Writes the final Status on the error channel and closes normally (the client's readers see EOF). */
  finish(status: StreamStatus): void {
    if (this.done) return;
    this.done = true;
    const body = Buffer.from(JSON.stringify(status));
    this.ws.send(Buffer.concat([Buffer.from([ERROR]), body]), { binary: true }, () => this.ws.close(1000));
  }

  private endStdin(): void {
    if (this.stdinEnded) return;
    this.stdinEnded = true;
    this.emit('stdin-end');
  }
}

export function parseSize(body: Buffer): TerminalSize | undefined {
  try {
    const v = JSON.parse(body.toString('utf8')) as { Width?: unknown; Height?: unknown };
    const width = Number(v.Width);
    const height = Number(v.Height);
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0 || width > 65535 || height > 65535) return undefined;
    return { width, height };
  } catch {
    return undefined;
  }
}
