// A container's stdin when its spec says `stdin: true` (what `kubectl run -i` and `kubectl attach -i`
// write to). Process containers are detached from the kubelet (they outlive it), so stdin is a
// named pipe in the pod's directory rather than a pipe to the kubelet: the container reads its
// end, the kubelet keeps a writer open so the container sees no EOF while nobody is attached.
// `stdinOnce: true` closes that writer after the first attach session's stdin ends, and the
// container reads EOF (kube's StdinOnce). After a kubelet restart an attach reopens the pipe by
// path (the container still holds its reading end).
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const writers = new Map<string, FileHandle>();

export function stdinPath(podDir: string, container: string): string {
  return join(podDir, 'stdin', container);
}

/**
 * Makes a fresh named pipe at `path` and returns the reading end for the container's fd 0
 * (the caller closes it once the process is spawned). Kept as the kubelet's: one writer.
 */
export async function openContainerStdin(path: string): Promise<FileHandle> {
  await writers.get(path)?.close().catch(() => undefined);
  writers.delete(path);
  await mkdir(dirname(path), { recursive: true });
  await rm(path, { force: true });
  await new Promise<void>((ok, fail) => execFile('mkfifo', ['-m', '0600', path], (err) => (err ? fail(err) : ok())));
  // Read-write first: it counts as a writer, so opening the read end below does not block.
  writers.set(path, await open(path, constants.O_RDWR));
  return open(path, constants.O_RDONLY);
}

/** The writer attach sessions use (reopened after a kubelet restart); undefined if no container reads it. */
export async function containerStdinWriter(path: string): Promise<FileHandle | undefined> {
  const held = writers.get(path);
  if (held) return held;
  try {
    // O_NONBLOCK: fails with ENXIO at once when no process has the reading end.
    const fh = await open(path, constants.O_WRONLY | constants.O_NONBLOCK);
    writers.set(path, fh);
    return fh;
  } catch {
    return undefined;
  }
}

/** Closes the kubelet's writer: the container reads EOF once nobody else writes (stdinOnce). */
export async function closeContainerStdin(path: string): Promise<void> {
  const fh = writers.get(path);
  writers.delete(path);
  await fh?.close().catch(() => undefined);
}

/** The container's stdin for spawn when its spec asks for one (`stdin: true`); close it once spawned. */
export async function containerStdinFor(podDir: string, container: { name: string; stdin?: unknown }): Promise<FileHandle | undefined> {
  return container.stdin === true ? openContainerStdin(stdinPath(podDir, container.name)) : undefined;
}
