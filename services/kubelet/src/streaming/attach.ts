// `kubectl attach` and `kubectl run -i`: the session receives what the running container writes
// from now on (its stdout and stderr share the attempt's log file, which is followed from its
// current end) and, when the container has `stdin: true`, feeds its stdin (container-stdin.ts).
// The session ends with Success when the container exits (the output drained) or the client leaves.
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { STDOUT, success, type StreamSession } from './channels';
import { closeContainerStdin, containerStdinWriter } from './container-stdin';

export interface AttachTarget {
  /** The running attempt's log file. */
  logPath: string;
  /** Whether that attempt still runs. */
  stillRunning(): boolean;
  /** The container's stdin pipe when its spec has `stdin: true`. */
  stdinPath?: string;
  stdinOnce: boolean;
}

export interface AttachOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

const POLL_MS = 100;

export async function runAttach(session: StreamSession, target: AttachTarget, opts: AttachOptions): Promise<void> {
  if (opts.stdin && target.stdinPath) {
    const path = target.stdinPath;
    const writer = await containerStdinWriter(path);
    if (writer) {
      // Writes keep their order: each waits for the one before.
      let chain: Promise<unknown> = Promise.resolve();
      session.on('stdin', (data: Buffer) => (chain = chain.then(() => writer.write(data)).catch(() => undefined)));
      session.on('stdin-end', () => {
        if (target.stdinOnce) chain = chain.then(() => closeContainerStdin(path));
      });
    }
  }
  let pos = await stat(target.logPath).then((s) => s.size, () => 0);
  const wantOutput = opts.stdout || opts.stderr;
  while (!session.closed) {
    const alive = target.stillRunning();
    if (wantOutput) pos = await copyNew(session, target.logPath, pos);
    if (!alive) break;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  session.finish(success());
}

async function copyNew(session: StreamSession, path: string, pos: number): Promise<number> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch {
    return pos;
  }
  try {
    const size = (await fh.stat()).size;
    while (pos < size && !session.closed) {
      const buf = Buffer.alloc(Math.min(64 * 1024, size - pos));
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (!bytesRead) break;
      pos += bytesRead;
      await session.write(STDOUT, buf.subarray(0, bytesRead));
    }
    return pos;
  } finally {
    await fh.close();
  }
}
