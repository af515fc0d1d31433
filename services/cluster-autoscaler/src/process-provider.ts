// `process`: each new machine is a kubelet process (services/kubelet, process runtime) the
// autoscaler starts on its own host — real pods, real processes — and stops on scale-down. The
// Node is created first (pool label, template labels and taints, the pool as owner, the
// kubelet's pid) and the kubelet adopts it on start, so the simulation counts it as coming
// until its kubelet reports status. Kubelets authenticate as the shared kubelet identity
// (KEELSON_AUTOSCALER_KUBELET_TOKEN / _NATS_USER / _NATS_PASSWORD); without it the provider is
// off.
//
// Machines outlive the autoscaler process, as a cloud's do: each kubelet runs in its own session
// (not in the autoscaler's process group, so neither a crash of the autoscaler nor its restart
// takes the pool's pods down), and is recorded in <root>/<node>/machine.json (pid and the
// process's start time, so a reused pid is never taken for it). The leader reconciles the records
// every loop (sync): a machine whose Node exists but whose kubelet is not running is started
// again (a reboot: after `npm start` was stopped, or a kubelet crash); one whose Node is gone is
// stopped and forgotten. Whoever owns the host stops the machines with it: `npm start`'s
// supervisor does at Ctrl-C (infra/local reads the same records).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NODES, isNotFound, type DynamicClient, type Logger, type Node } from '@keelson/operator-sdk';
import type { ProcessProviderConfig } from './config';
import type { NodeProvider } from './provider';
import { deleteNodeObject, machineName, machineOrphaned, nodeShapeEnv, poolNode } from './provider';
import { GROUP, POOL_LABEL, type NodePool } from './types';

/** The pid of the kubelet process hosting a `process` node (for people; never signalled from it). */
export const PID_ANNOTATION = `${GROUP}/kubelet-pid`;

/** What <root>/<node>/machine.json holds: the kubelet's pid and /proc start time (field 22 of stat). */
export interface MachineRecord {
  node: string;
  /** The NodePool it belongs to (records of earlier versions lack it: the Node's label says). */
  pool?: string;
  pid: number;
  startTime: string;
}

export const MACHINE_FILE = 'machine.json';

/** The start time of a live process (clock ticks after boot), undefined when it is gone or a zombie. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
    return fields[0] === 'Z' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

/** Whether the recorded process is still the one running under its pid. */
export const machineRunning = (m: MachineRecord): boolean => m.pid > 0 && processStartTime(m.pid) === m.startTime;

export class ProcessProvider implements NodeProvider {
  readonly name = 'process';
  /** Machines being started or stopped right now (sync leaves them alone). */
  private readonly busy = new Set<string>();

  constructor(private readonly client: DynamicClient, private readonly cfg: ProcessProviderConfig, private readonly log: Logger) {}

  async createNodes(pool: NodePool, count: number): Promise<string[]> {
    return Promise.all(Array.from({ length: count }, () => this.createNode(pool)));
  }

  private async createNode(pool: NodePool): Promise<string> {
    const name = machineName(pool);
    this.busy.add(name);
    try {
      await this.client.resource<Node>(NODES).create(poolNode(pool, name, 'process'), { fieldManager: 'cluster-autoscaler' });
      this.startKubelet(name, pool);
      return name;
    } finally {
      this.busy.delete(name);
    }
  }

  /** The kubelet's environment for a machine of `pool` named `name`. */
  private kubeletEnv(name: string, pool: NodePool, root: string): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    // The autoscaler's own identity and settings are not the kubelet's.
    for (const k of Object.keys(env)) if (k.startsWith('KEELSON_AUTOSCALER_') || k.startsWith('KEELSON_TOKEN') || k.startsWith('KEELSON_NATS_PASSWORD') || k.startsWith('KEELSON_LEADER_') || k === 'POD_NAME') delete env[k];
    return Object.assign(env, {
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
      ...nodeShapeEnv(pool),
      ...this.cfg.extraEnv,
    });
  }

  /** Starts the machine's kubelet in a session of its own and records it. */
  private startKubelet(name: string, pool: NodePool): void {
    const root = resolve(this.cfg.root, name);
    mkdirSync(root, { recursive: true });
    const out = openSync(join(root, 'kubelet.log'), 'a');
    const child = spawn(process.execPath, ['--enable-source-maps', this.cfg.kubeletMain], { env: this.kubeletEnv(name, pool, root), stdio: ['ignore', out, out], detached: true });
    closeSync(out);
    child.unref();
    const pid = child.pid ?? 0;
    child.once('exit', (code, signal) => this.log.info('kubelet exited', { node: name, code, signal }));
    const rec: MachineRecord = { node: name, pool: String(pool.metadata.name), pid, startTime: processStartTime(pid) ?? '' };
    writeFileSync(join(root, `${MACHINE_FILE}.tmp`), JSON.stringify(rec));
    renameSync(join(root, `${MACHINE_FILE}.tmp`), join(root, MACHINE_FILE));
    this.log.info('kubelet started', { node: name, pid, root });
    void this.client.resource(NODES).patch(name, { metadata: { annotations: { [PID_ANNOTATION]: String(pid) } } }).catch((err: unknown) => {
      if (!isNotFound(err)) this.log.warn('could not annotate the node with its kubelet pid', { node: name, err: String(err) });
    });
  }

  deleteNode(_pool: NodePool, node: string): Promise<void> {
    return this.removeMachine(node);
  }

  /** Its kubelet stopped, its record forgotten, its Node deleted. */
  private async removeMachine(node: string): Promise<void> {
    this.busy.add(node);
    try {
      await this.stopMachine(node);
      rmSync(resolve(this.cfg.root, node, MACHINE_FILE), { force: true });
      await deleteNodeObject(this.client, node);
    } finally {
      this.busy.delete(node);
    }
  }

  /** The recorded machines (unreadable records are skipped). */
  machines(): MachineRecord[] {
    if (!existsSync(this.cfg.root)) return [];
    return readdirSync(this.cfg.root).map((dir) => this.machine(dir)).filter((m): m is MachineRecord => m !== undefined);
  }

  /** The record of machine `node`, undefined when there is none (or it is unreadable: one being written or removed). */
  private machine(node: string): MachineRecord | undefined {
    try {
      const rec = JSON.parse(readFileSync(join(this.cfg.root, node, MACHINE_FILE), 'utf8')) as MachineRecord;
      return rec.node === node && Number.isInteger(rec.pid) ? rec : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * The leader's reconcile of machines against pools and Nodes (each loop): a machine whose
   * NodePool or Node is gone (the API says NotFound, not a cache) is stopped, forgotten and its
   * Node deleted; one whose kubelet is not running is started again.
   */
  async sync(pools: Map<string, NodePool>, nodes: Node[]): Promise<void> {
    const byName = new Map(nodes.map((n) => [String(n.metadata.name), n]));
    for (const m of this.machines()) {
      if (this.busy.has(m.node)) continue;
      const poolName = m.pool ?? byName.get(m.node)?.metadata.labels?.[POOL_LABEL];
      const why = await machineOrphaned(this.client, pools, byName, poolName, m.node);
      if (why) {
        this.log.info(`removing a machine: ${why}`, { node: m.node, pid: m.pid });
        await this.removeMachine(m.node);
        continue;
      }
      const pool = pools.get(poolName ?? '');
      if (machineRunning(m) || byName.get(m.node)?.metadata.deletionTimestamp || !pool || (pool.spec.provider ?? 'simulated') !== 'process') continue;
      this.log.info('machine not running: starting its kubelet again', { node: m.node });
      this.startKubelet(m.node, pool);
    }
  }

  /** SIGTERM to the recorded kubelet (it stops its pods within its grace), SIGKILL after stopTimeoutMs. */
  private async stopMachine(node: string): Promise<void> {
    const m = this.machine(node);
    if (!m || !machineRunning(m)) return;
    const signal = (sig: NodeJS.Signals): void => {
      if (!machineRunning(m)) return; // never a reused pid
      try {
        process.kill(m.pid, sig);
      } catch {
        // gone
      }
    };
    signal('SIGTERM');
    const deadline = Date.now() + this.cfg.stopTimeoutMs;
    while (machineRunning(m) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    signal('SIGKILL');
    while (machineRunning(m)) await new Promise((r) => setTimeout(r, 50));
  }
}
