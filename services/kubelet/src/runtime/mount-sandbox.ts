// Bind mounts for process containers. A process shares the host's filesystem, so a volume can
// only appear at its mountPath inside a private mount namespace: the container is started as
//   unshare --mount --propagation private -- sh -c '<bind each volume, read-only if asked>;
//     exec setpriv --reuid=<pod uid> --regid=<pod gid> --clear-groups -- "$@"' sandbox <argv>
// which execs into the container's command (same pid and process group the runtime tracks), with
// the mounts visible to it alone and nothing propagated back to the host. Needs root (the mount
// namespace and the privilege drop), `unshare` and `setpriv` (util-linux); without them the
// runtime falls back to exposing volume directories by their host path.
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import type { PodIdentity } from './pod-identity';

export interface BindMount {
  source: string;
  target: string;
  readOnly: boolean;
}

/** Whether this process can give containers private bind mounts (tried once, for real). */
export async function canBindMount(): Promise<boolean> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return false;
  const run = (cmd: string, args: string[]): Promise<boolean> =>
    new Promise((done) => execFile(cmd, args, { timeout: 30_000 }, (err) => done(!err))); // generous: a loaded node is slow, not unable
  return (await run('unshare', ['--mount', '--propagation', 'private', '--', 'true'])) && (await run('setpriv', ['--reuid=0', '--regid=0', '--clear-groups', '--', 'true']));
}

/** Mount points must exist (the runtime creates none on the host); returns the ones missing. */
export async function missingTargets(mounts: BindMount[]): Promise<string[]> {
  const missing: string[] = [];
  for (const m of mounts) if (!(await stat(m.target).then((s) => s.isDirectory(), () => false))) missing.push(m.target);
  return missing;
}

const SCRIPT = [
  'ids=$1; n=$2; shift 2',
  'while [ "$n" -gt 0 ]; do',
  '  mount --bind "$1" "$2" || exit 125',
  '  if [ "$3" = ro ]; then mount -o remount,bind,ro "$2" || exit 125; fi',
  '  shift 3; n=$((n - 1))',
  'done',
  'shift', // the "--" before the container's argv
  'if [ "$ids" != - ]; then exec setpriv --reuid="${ids%:*}" --regid="${ids#*:}" --clear-groups -- "$@"; fi',
  'exec "$@"',
].join('\n');

/** The argv that starts `argv` with `mounts` in its own mount namespace, then as `identity`. Spawn it as root. */
export function sandboxCommand(argv: string[], mounts: BindMount[], identity: PodIdentity | undefined): string[] {
  const ids = identity ? `${identity.uid}:${identity.gid}` : '-';
  const mountArgs = mounts.flatMap((m) => [m.source, m.target, m.readOnly ? 'ro' : 'rw']);
  return ['unshare', '--mount', '--propagation', 'private', '--', '/bin/sh', '-c', SCRIPT, 'keelson-sandbox', ids, String(mounts.length), ...mountArgs, '--', ...argv];
}
