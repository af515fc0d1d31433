// Where audit lines go: stdout, or a file rotated by size like kube-apiserver's
// --audit-log-maxsize / --audit-log-maxbackup (audit.log → audit.log.1 → … → dropped).
import { createWriteStream, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export interface AuditSink {
  write(line: string): void;
  close(): Promise<void>;
}

export const stdoutSink: AuditSink = {
  write: (line) => void process.stdout.write(line),
  close: async () => {},
};

export class RotatingFileSink implements AuditSink {
  private stream: WriteStream;
  private size: number;

  /** maxBytes 0: never rotated. */
  constructor(private readonly path: string, private readonly maxBytes: number, private readonly maxBackups: number) {
    mkdirSync(dirname(path), { recursive: true });
    this.size = existsSync(path) ? statSync(path).size : 0;
    this.stream = this.open();
  }

  write(line: string): void {
    const bytes = Buffer.byteLength(line);
    if (this.maxBytes > 0 && this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
    this.size += bytes;
    this.stream.write(line);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }

  private open(): WriteStream {
    // Opened now (not when the stream gets round to it), so a rotation can rename it at once.
    const s = createWriteStream(this.path, { fd: openSync(this.path, 'a', 0o600) });
    s.on('error', (err) => process.stderr.write(`audit log ${this.path}: ${err.message}\n`));
    return s;
  }

  /** The old stream finishes writing into the renamed file (its descriptor follows the rename). */
  private rotate(): void {
    this.stream.end();
    if (this.maxBackups <= 0) rmSync(this.path, { force: true });
    else {
      rmSync(`${this.path}.${this.maxBackups}`, { force: true });
      for (let i = this.maxBackups - 1; i >= 1; i--) if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      renameSync(this.path, `${this.path}.1`);
    }
    this.size = 0;
    this.stream = this.open();
  }
}
