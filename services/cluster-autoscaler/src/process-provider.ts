// `process`: each new machine is a kubelet process (services/kubelet, process runtime) the
// autoscaler starts on its own host — real pods, real processes — and stops on scale-down. The
// Node is created first (pool label, template labels and taints, the pool as owner, the
// kubelet's pid) and the kubelet adopts it on start, so the simulation counts it as coming
// until its kubelet reports status. Kubelets authenticate as the shared kubelet identity
// (KEELSON_AUTOSCALER_KUBELET_TOKEN / _NATS_USER / _NATS_PASSWORD); without it the provider is
// off. Machines live as long as the autoscaler process that started them: it stops them all
// when it stops (it never signals a process it did not start).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NODES, isNotFound, type DynamicClient, type Logger, type Node } from '@keelson/operator-sdk';
import type { ProcessProviderConfig } from './config';
import type { NodeProvider } from './provider';
import { PROVIDER_ANNOTATION } from './provider';
import { GROUP, POOL_LABEL, type NodePool } from './types';

/** The pid of the kubelet process hosting a `process` node (for people; never signalled from it). */
export const PID_ANNOTATION = `${GROUP}/kubelet-pid`;

const suffix = (): string => randomBytes(4).toString('hex').slice(0, 5);

export class ProcessProvider implements NodeProvider {
  readonly name = 'process';
  private readonly kubelets = new Map<string, ChildProcess>();

  constructor(private readonly client: DynamicClient, private readonly cfg: ProcessProviderConfig, private readonly log: Logger) {}

  async createNodes(pool: NodePool, count: number): Promise<string[]> {
    return Promise.all(Array.from({ length: count }, () => this.createNode(pool)));
  }

  private async createNode(pool: NodePool): Promise<string> {
    const t = pool.spec.nodeTemplate;
    const poolName = String(pool.metadata.name);
    const name = `${poolName}-${suffix()}`;
    const labels = { ...t.labels, [POOL_LABEL]: poolName };
    await this.client.resource<Node>(NODES).create({
      apiVersion: 'v1', kind: 'Node',
      metadata: {
        name, labels,
        annotations: { [PROVIDER_ANNOTATION]: 'process' },
        ownerReferences: [{ apiVersion: `${GROUP}/v1alpha1`, kind: 'NodePool', name: poolName, uid: String(pool.metadata.uid) }],
      },
      spec: t.taints?.length ? { taints: t.taints } : {},
    }, { fieldManager: 'cluster-autoscaler' });
    const root = resolve(this.cfg.root, name);
    mkdirSync(root, { recursive: true });
    const out = openSync(join(root, 'kubelet.log'), 'a');
    const env: NodeJS.ProcessEnv = { ...process.env };
    // The autoscaler's own identity and settings are not the kubelet's.
    for (const k of Object.keys(env)) if (k.startsWith('KEELSON_AUTOSCALER_') || k.startsWith('KEELSON_TOKEN') || k.startsWith('KEELSON_NATS_PASSWORD') || k.startsWith('KEELSON_LEADER_') || k === 'POD_NAME') delete env[k];
    Object.assign(env, {
      KEELSON_TOKEN: this.cfg.token,
      KEELSON_NATS_USER: this.cfg.natsUser,
      KEELSON_NATS_PASSWORD: this.cfg.natsPassword,
      KEELSON_SERVICE: 'kubelet',
      OTEL_SERVICE_NAME: 'kubelet',
      NODE_NAME: name,
      KEELSON_KUBELET_RUNTIME: 'process',
      KEELSON_KUBELET_ROOT: root,
      KEELSON_HEALTH_PORT: '0',
      KEELSON_KUBELET_PORT: '0',
      KEELSON_NODE_CPU: String(t.allocatable.cpu),
      KEELSON_NODE_MEMORY: String(t.allocatable.memory),
      KEELSON_NODE_PODS: String(t.allocatable.pods ?? '110'),
      KEELSON_NODE_LABELS: Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(','),
      KEELSON_NODE_TAINTS: (t.taints ?? []).map((x) => `${x.key}${x.value ? `=${x.value}` : ''}:${x.effect}`).join(','),
      ...this.cfg.extraEnv,
    });
    const child = spawn(process.execPath, ['--enable-source-maps', this.cfg.kubeletMain], { env, stdio: ['ignore', out, out] });
    closeSync(out);
    this.kubelets.set(name, child);
    child.once('exit', (code, signal) => {
      if (this.kubelets.get(name) === child) this.kubelets.delete(name);
      this.log.info('kubelet exited', { node: name, code, signal });
    });
    this.log.info('kubelet started', { node: name, pid: child.pid, root });
    await this.client.resource(NODES).patch(name, { metadata: { annotations: { [PID_ANNOTATION]: String(child.pid) } } }).catch((err: unknown) => {
      if (!isNotFound(err)) this.log.warn('could not annotate the node with its kubelet pid', { node: name, err: String(err) });
    });
    return name;
  }

  async deleteNode(_pool: NodePool, node: string): Promise<void> {
    await this.stopKubelet(node);
    try {
      await this.client.resource(NODES).delete(node);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Stops every kubelet this process started (the autoscaler is stopping). */
  async stop(): Promise<void> {
    await Promise.all([...this.kubelets.keys()].map((n) => this.stopKubelet(n)));
  }

  /** SIGTERM (the kubelet stops its pods within its grace), SIGKILL after stopTimeoutMs. */
  private async stopKubelet(node: string): Promise<void> {
    const child = this.kubelets.get(node);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), this.cfg.stopTimeoutMs);
    await exited;
    clearTimeout(timer);
  }
}
