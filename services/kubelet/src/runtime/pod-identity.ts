// Who pod processes run as. A kubelet running as root must not hand root to pods: they would
// read every control-plane credential on the host (tokens, keys, etcd's data). Pods run as an
// unprivileged user instead (`nobody`, 65534, unless KEELSON_KUBELET_POD_UID/_GID say otherwise),
// as kube's default non-root policy would; a kubelet that is not root runs them as itself.
import { chown } from 'node:fs/promises';

export interface PodIdentity {
  uid: number;
  gid: number;
}

const NOBODY = 65534;

/** The identity for pod processes, or undefined to keep the kubelet's own (not root). */
export function podIdentity(env: NodeJS.ProcessEnv = process.env): PodIdentity | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const id = (v: string | undefined, name: string): number => {
    if (v === undefined || v === '') return NOBODY;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a non-root numeric id, got ${JSON.stringify(v)}`);
    return n;
  };
  return { uid: id(env.KEELSON_KUBELET_POD_UID, 'KEELSON_KUBELET_POD_UID'), gid: id(env.KEELSON_KUBELET_POD_GID, 'KEELSON_KUBELET_POD_GID') };
}

/** Gives the pod's own working directory to its identity (it writes there; nothing else of the kubelet's). */
export async function ownForPod(dir: string, identity: PodIdentity | undefined): Promise<void> {
  if (identity) await chown(dir, identity.uid, identity.gid);
}
