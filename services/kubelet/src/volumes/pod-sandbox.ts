// What a process container sees of the cluster, set up before each start: its projected volumes
// (the ServiceAccount token, ca.crt and namespace among them) at their mountPaths, and the API's
// address in KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT (every kube container gets these
// for the `kubernetes` Service; a process shares the host network, so they name the gateway as
// the kubelet reaches it). With both, in-cluster clients (kubectl, client-go, the Python and
// JavaScript clients) find the API, trust its CA and authenticate as the pod's ServiceAccount.
//
// Mounts are real bind mounts in a private mount namespace when the kubelet runs as root with
// util-linux (runtime/mount-sandbox.ts). Otherwise the pod's volume directory is handed to its
// identity and the ServiceAccount directory is named in KUBERNETES_SERVICE_ACCOUNT_DIR (in-cluster
// clients do not read that: point them at it).
import { mkdir } from 'node:fs/promises';
import type { Logger } from '@keelson/telemetry';
import type { KeelsonClient } from '@keelson/client';
import { canBindMount, missingTargets, sandboxCommand, type BindMount } from '../runtime/mount-sandbox';
import { podIdentity, type PodIdentity } from '../runtime/pod-identity';
import { ProcessRuntime } from '../runtime/process-runtime';
import type { Container, Pod } from '../types';
import { ProjectedVolumes, volumeSourceApi } from './projected-token';

export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Set instead of a mount where the runtime cannot mount. */
export const SERVICE_ACCOUNT_DIR_ENV = 'KUBERNETES_SERVICE_ACCOUNT_DIR';

/** A container start, as the process runtime will spawn it. */
export interface SandboxedStart {
  argv: string[];
  /** Variables under the container's own `env` (which wins). */
  env: Record<string, string>;
  /** Spawn as root: the sandbox drops to the pod identity itself after mounting. */
  asRoot: boolean;
}

/** The hook the process runtime calls (runtime/process-runtime.ts). */
export interface ContainerSandbox {
  prepare(pod: Pod, container: Container, argv: string[]): Promise<SandboxedStart>;
  /** Containers of the pod survived a kubelet restart: their volumes are refreshed and renewed again. */
  resume(pod: Pod): Promise<void>;
  release(uid: string): void;
}

interface VolumeMount {
  name?: string;
  mountPath?: string;
  readOnly?: boolean;
  subPath?: string;
}

/** KUBERNETES_SERVICE_HOST/PORT(_HTTPS) for an API at `url`. */
export function apiServiceEnv(url: string): Record<string, string> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = u.port || '443';
  return { KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: port, KUBERNETES_SERVICE_PORT_HTTPS: port };
}

export class PodSandbox implements ContainerSandbox {
  constructor(
    private readonly volumes: ProjectedVolumes,
    private readonly bindMounts: boolean,
    private readonly apiEnv: Record<string, string>,
    private readonly identity: PodIdentity | undefined,
  ) {}

  /** Probes whether containers can get bind mounts, and prepares the ServiceAccount mount point. */
  static async create(opts: { root: string; client: KeelsonClient; log: Logger; identity: PodIdentity | undefined }): Promise<PodSandbox> {
    let bindMounts = await canBindMount();
    if (bindMounts) {
      // The one mount point this runtime makes on the host: an empty directory, as on any kube node.
      await mkdir(SERVICE_ACCOUNT_MOUNT_PATH, { recursive: true, mode: 0o755 }).catch((e: unknown) => {
        opts.log.warn('cannot create the service account mount point; volumes are exposed by path', { err: String(e) });
        bindMounts = false;
      });
    }
    opts.log.info('pod volumes', { mode: bindMounts ? 'bind mounts in a private mount namespace' : `host paths (${SERVICE_ACCOUNT_DIR_ENV})` });
    const volumes = new ProjectedVolumes({ root: opts.root, api: volumeSourceApi(opts.client), log: opts.log, identity: opts.identity });
    return new PodSandbox(volumes, bindMounts, apiServiceEnv(opts.client.config.url), opts.identity);
  }

  async prepare(pod: Pod, container: Container, argv: string[]): Promise<SandboxedStart> {
    const dirs = await this.volumes.setUp(pod);
    const env = { ...this.apiEnv };
    const mounts: BindMount[] = [];
    for (const m of ((container as { volumeMounts?: VolumeMount[] }).volumeMounts ?? [])) {
      const source = m.name ? dirs.get(m.name) : undefined;
      if (!source || !m.mountPath) continue; // not a volume this runtime materialises
      if (m.subPath) throw new Error(`volume ${m.name}: subPath mounts are not supported by the process runtime`);
      mounts.push({ source, target: m.mountPath, readOnly: m.readOnly === true });
    }
    if (mounts.length === 0) return { argv, env, asRoot: false };
    if (this.bindMounts) {
      const missing = await missingTargets(mounts);
      if (missing.length) throw new Error(`mount point ${missing[0]} does not exist on this node (the process runtime has no container filesystem to create it in)`);
      return { argv: sandboxCommand(argv, mounts, this.identity), env, asRoot: true };
    }
    await this.volumes.exposeToPod(pod.metadata.uid ?? '');
    const sa = mounts.find((m) => m.target === SERVICE_ACCOUNT_MOUNT_PATH);
    if (sa) env[SERVICE_ACCOUNT_DIR_ENV] = sa.source;
    return { argv, env, asRoot: false };
  }

  async resume(pod: Pod): Promise<void> {
    await this.volumes.setUp(pod);
  }

  release(uid: string): void {
    this.volumes.release(uid);
  }

  close(): void {
    this.volumes.close();
  }
}

/** The process runtime with its container sandbox (what a process node's kubelet runs). */
export async function sandboxedProcessRuntime(root: string, client: KeelsonClient, log: Logger): Promise<ProcessRuntime> {
  const identity = podIdentity();
  return new ProcessRuntime(root, log, identity, await PodSandbox.create({ root, client, log, identity }));
}
