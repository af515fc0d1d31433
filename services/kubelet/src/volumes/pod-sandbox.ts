// What a process container sees of the cluster, set up before each start: its projected volumes
// (the ServiceAccount token, ca.crt and namespace among them) at their mountPaths, and the API's
// address in KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT (every kube container gets these
// for the `kubernetes` Service; a process shares the host network, so they name the gateway as
// the kubelet reaches it). With both, in-cluster clients (kubectl, client-go, the Python and
// JavaScript clients) find the API, trust its CA and authenticate as the pod's ServiceAccount.
//
// As root with util-linux, each pod gets its own sandbox (runtime/sandbox/: PID, UTS, IPC and
// mount namespaces, the control plane's files out of sight) and each container joins it with its
// volumes bound at their mountPaths and as the user its securityContext names. Where namespaces
// cannot be made, mounts are bind mounts in a private mount namespace (runtime/mount-sandbox.ts). Otherwise the pod's volume directory is handed to its
// identity and the ServiceAccount directory is named in KUBERNETES_SERVICE_ACCOUNT_DIR (in-cluster
// clients do not read that: point them at it).
import { mkdir, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import type { Logger } from '@keelson/telemetry';
import type { KeelsonClient } from '@keelson/client';
import type { KubeObject } from '@keelson/api';
import { canBindMount, missingTargets, sandboxCommand, type BindMount } from '../runtime/mount-sandbox';
import { podIdentity, type PodIdentity } from '../runtime/pod-identity';
import { ProcessRuntime } from '../runtime/process-runtime';
import { fetchEnvSources, type EnvSources } from '../runtime/env-sources';
import { podServiceEnv, serviceVariables } from '../runtime/service-env';
import { PodSandboxes } from '../runtime/sandbox/pod-sandboxes';
import type { ClusterDns } from '../runtime/sandbox/resolv-conf';
import { containerUser, type ContainerUser } from '../runtime/sandbox/security-context';
import type { Container, Pod } from '../types';
import { ProjectedVolumes, volumeSourceApi, type VolumeSourceApi } from './projected-token';

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
  /** Otherwise spawn as this user (the container's securityContext); default the runtime's pod identity. */
  identity?: ContainerUser;
}

/** The hook the process runtime calls (runtime/process-runtime.ts). */
export interface ContainerSandbox {
  /** Throws ContainerConfigError (CreateContainerConfigError) for a securityContext kube refuses. */
  prepare(pod: Pod, container: Container, argv: string[], podIP?: string, workingDir?: string, clusterDns?: ClusterDns): Promise<SandboxedStart>;
  /** The ConfigMaps and Secrets the container's env reads (runtime/env-sources.ts). */
  envSources?(pod: Pod, container: Container): Promise<EnvSources>;
  /** Containers of the pod survived a kubelet restart: their volumes are refreshed and renewed again. */
  resume(pod: Pod): Promise<void>;
  /** The pod is gone: its sandbox (every process left in it) and its volume renewals end. */
  release(uid: string): void | Promise<void>;
}

interface VolumeMount {
  name?: string;
  mountPath?: string;
  readOnly?: boolean;
  subPath?: string;
}

/**
 * The `kubernetes` Service's variables for an API at `url`: KUBERNETES_SERVICE_HOST/PORT(_HTTPS)
 * and Docker's link variables (KUBERNETES_PORT=tcp://host:port, KUBERNETES_PORT_<port>_TCP…).
 */
export function apiServiceEnv(url: string): Record<string, string> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return serviceVariables('kubernetes', host, [{ name: 'https', port: Number(u.port || 443), protocol: 'TCP' }]);
}

export class PodSandbox implements ContainerSandbox {
  constructor(
    private readonly volumes: ProjectedVolumes,
    private readonly bindMounts: boolean,
    private readonly apiEnv: Record<string, string>,
    private readonly identity: PodIdentity | undefined,
    /** Per-pod PID/UTS/IPC/mount namespaces (runtime/sandbox/); undefined where they cannot be made. */
    private readonly pods?: PodSandboxes,
    private readonly api?: VolumeSourceApi,
  ) {}

  /** `namespaces` when pods get their own sandbox, `host` when they share the node's (the fallback). */
  get mode(): 'namespaces' | 'host' {
    return this.pods ? 'namespaces' : 'host';
  }

  /** Probes whether containers can get bind mounts, and prepares the ServiceAccount mount point. */
  static async create(opts: { root: string; client: KeelsonClient; log: Logger; identity: PodIdentity | undefined }): Promise<PodSandbox> {
    const pods = (await PodSandboxes.supported(opts.log)) ? new PodSandboxes(opts.root, opts.log) : undefined;
    let bindMounts = !pods && (await canBindMount());
    if (bindMounts) {
      // The one mount point this runtime makes on the host: an empty directory, as on any kube node.
      await mkdir(SERVICE_ACCOUNT_MOUNT_PATH, { recursive: true, mode: 0o755 }).catch((e: unknown) => {
        opts.log.warn('cannot create the service account mount point; volumes are exposed by path', { err: String(e) });
        bindMounts = false;
      });
    }
    opts.log.info('pod volumes', { mode: pods ? 'pod sandboxes (PID, UTS, IPC and mount namespaces)' : bindMounts ? 'bind mounts in a private mount namespace' : `host paths (${SERVICE_ACCOUNT_DIR_ENV})` });
    const api = volumeSourceApi(opts.client);
    const volumes = new ProjectedVolumes({ root: opts.root, api, log: opts.log, identity: opts.identity });
    return new PodSandbox(volumes, bindMounts, apiServiceEnv(opts.client.config.url), opts.identity, pods, api);
  }

  /** The Services of a namespace, as the kubelet's informer holds them (for service variables). */
  servicesIn?: (namespace: string) => KubeObject[];

  async envSources(pod: Pod, container: Container): Promise<EnvSources> {
    const sources: EnvSources = this.api ? await fetchEnvSources(this.api, pod, container) : { configMaps: new Map(), secrets: new Map() };
    return this.servicesIn ? { ...sources, services: podServiceEnv(pod, this.servicesIn) } : sources;
  }

  async prepare(pod: Pod, container: Container, argv: string[], podIP = '127.0.0.1', workingDir = '/', clusterDns?: ClusterDns): Promise<SandboxedStart> {
    const user = containerUser(pod, container, this.identity);
    const dirs = await this.volumes.setUp(pod);
    const env = { ...this.apiEnv };
    const mounts: BindMount[] = [];
    const hostPaths = new Set(((pod.spec.volumes ?? []) as { name?: string; hostPath?: unknown }[]).filter((v) => v.hostPath).map((v) => v.name));
    for (const m of ((container as { volumeMounts?: VolumeMount[] }).volumeMounts ?? [])) {
      let source = m.name ? dirs.get(m.name) : undefined;
      if (!source || !m.mountPath) continue; // not a volume this runtime materialises
      if (m.subPath) {
        if (!this.pods) throw new Error(`volume ${m.name}: subPath mounts need pod sandboxes (this node has none)`);
        source = await subPathOf(source, m.subPath);
      }
      // In a sandbox a hostPath is seen where the sandbox bound it (the host's tree is not there).
      if (this.pods && hostPaths.has(m.name)) source = join(this.pods.hostPathStage(pod.metadata.uid ?? '', m.name!), source.slice(dirs.get(m.name!)!.length));
      mounts.push({ source, target: m.mountPath, readOnly: m.readOnly === true });
    }
    if (this.pods && user) {
      const holder = await this.pods.ensure(pod, podIP, clusterDns);
      return { argv: this.pods.enterArgv(holder, { workingDir, uid: user.uid, gid: user.gid, groups: user.groups, staging: this.pods.volumesDir(pod.metadata.uid ?? ''), mounts }, argv), env, asRoot: true };
    }
    if (mounts.length === 0) return { argv, env, asRoot: false, identity: user };
    if (this.bindMounts) {
      const missing = await missingTargets(mounts);
      if (missing.length) throw new Error(`mount point ${missing[0]} does not exist on this node (the process runtime has no container filesystem to create it in)`);
      return { argv: sandboxCommand(argv, mounts, user), env, asRoot: true };
    }
    await this.volumes.exposeToPod(pod.metadata.uid ?? '');
    const sa = mounts.find((m) => m.target === SERVICE_ACCOUNT_MOUNT_PATH);
    if (sa) env[SERVICE_ACCOUNT_DIR_ENV] = sa.source;
    return { argv, env, asRoot: false, identity: user };
  }

  async resume(pod: Pod): Promise<void> {
    await this.volumes.setUp(pod);
  }

  async release(uid: string): Promise<void> {
    this.volumes.release(uid);
    await this.pods?.remove(uid);
  }

  close(): void {
    this.volumes.close();
  }
}

/** A volumeMount's subPath inside its volume (made as a directory when missing, as kube does); never outside it. */
async function subPathOf(volume: string, subPath: string): Promise<string> {
  const clean = normalize(subPath);
  if (isAbsolute(subPath) || clean === '..' || clean.startsWith(`..${sep}`)) throw new Error(`subPath ${JSON.stringify(subPath)} must be a relative path inside the volume`);
  const path = join(volume, clean);
  if (!(await stat(path).then(() => true, () => false))) await mkdir(path, { recursive: true, mode: 0o777 });
  return path;
}

/** The process runtime with its container sandbox (what a process node's kubelet runs). */
export async function sandboxedProcessRuntime(root: string, client: KeelsonClient, log: Logger, servicesIn?: (namespace: string) => KubeObject[]): Promise<ProcessRuntime> {
  const identity = podIdentity();
  const sandbox = await PodSandbox.create({ root, client, log, identity });
  sandbox.servicesIn = servicesIn;
  return new ProcessRuntime(root, log, identity, sandbox);
}
