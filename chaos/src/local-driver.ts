// Local driver: `npm start`'s supervisor (infra/local/dist/main.js) in HA mode (KEELSON_REPLICAS=2,
// KEELSON_ETCD_MEMBERS=3) under its own KEELSON_HOME and ports; targets are the processes it
// records in pids.json, hit with signals to their process group.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { join, resolve } from 'node:path';
import { Etcd3 } from 'etcd3';
import { Api, parseKubeconfig, sleep, type ApiTarget } from './api';
import { kindOf, RELAY_LEADER_KEY, type BackendAccess, type ChaosDriver, type Target } from './driver';

const REPO = resolve(__dirname, '..', '..');

export interface LocalDriverOptions {
  home: string;
  /** First of a private port range (default 17000): API, etcd, NATS and health ports are offsets of it. */
  portBase?: number;
  leaseDurationMs?: number;
  log: (line: string) => void;
  /** Where the supervisor's output goes (a file; too much for the terminal). */
  logFile: string;
}

interface PidRow { name: string; pid: number }

export class LocalDriver implements ChaosDriver {
  readonly name = 'local' as const;
  private supervisor: ChildProcess | undefined;
  private target: ApiTarget | undefined;
  private readonly ports: { api: number; etcd: number; nats: number; natsMonitor: number; health: number };
  private etcdClient: Etcd3 | undefined;

  constructor(private readonly opts: LocalDriverOptions) {
    const b = opts.portBase ?? 17000;
    this.ports = { api: b + 443, etcd: b + 379, nats: b + 222, natsMonitor: b + 822, health: b + 100 };
  }

  /** Every gateway URL answers /readyz (the local driver's API target lists each replica). */
  gatewaysReady(api: Api): Promise<boolean> {
    return api.allReady();
  }

  leaseDurationMs(): number {
    return this.opts.leaseDurationMs ?? 15_000;
  }

  async start(): Promise<void> {
    rmSync(this.opts.home, { recursive: true, force: true });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KEELSON_HOME: this.opts.home,
      KEELSON_REPLICAS: '2',
      KEELSON_ETCD_MEMBERS: '3',
      KEELSON_API_PORT: String(this.ports.api),
      KEELSON_ETCD_PORT: String(this.ports.etcd),
      KEELSON_ETCD_PEER_PORT: String(this.ports.etcd + 1),
      KEELSON_ETCD_METRICS_PORT: String(this.ports.etcd + 2),
      KEELSON_NATS_PORT: String(this.ports.nats),
      KEELSON_NATS_MONITOR_PORT: String(this.ports.natsMonitor),
      KEELSON_SERVICE_PORT_BASE: String(this.ports.health),
      KEELSON_LEASE_DURATION_MS: String(this.leaseDurationMs()),
      // The relay check reads etcd's history over the run: no compaction while it lasts.
      KEELSON_COMPACTION_INTERVAL_SECONDS: '86400',
      KEELSON_AUDIT_LOG_PATH: join(this.opts.home, 'audit.log'),
    };
    const out = openSync(this.opts.logFile, 'w');
    this.supervisor = spawn(process.execPath, ['--enable-source-maps', join(REPO, 'infra/local/dist/main.js')], { env, cwd: REPO, stdio: ['ignore', out, out] });
    this.opts.log(`local: supervisor pid ${this.supervisor.pid}, output in ${this.opts.logFile}`);
    const until = Date.now() + 180_000;
    while (!readFileSync(this.opts.logFile, 'utf8').includes('ready. Use it with')) {
      if (this.supervisor.exitCode !== null) throw new Error(`the supervisor exited (${this.supervisor.exitCode}); see ${this.opts.logFile}`);
      if (Date.now() > until) throw new Error(`the supervisor was not ready within 180 s; see ${this.opts.logFile}`);
      await sleep(500);
    }
    const kc = parseKubeconfig(readFileSync(join(this.opts.home, 'kubeconfig'), 'utf8'));
    this.target = { urls: [0, 1].map((i) => `https://127.0.0.1:${this.ports.api + i}`), token: kc.token, caPem: kc.caPem };
    const b = this.backends().etcd!;
    this.etcdClient = new Etcd3({
      hosts: b.endpoints,
      credentials: { rootCertificate: readFileSync(b.caFile), certChain: readFileSync(b.certFile), privateKey: readFileSync(b.keyFile) },
      dialTimeout: 3000,
    });
  }

  api(): ApiTarget {
    if (!this.target) throw new Error('not started');
    return this.target;
  }

  backends(): BackendAccess {
    const pki = join(this.opts.home, 'pki');
    const users = readFileSync(join(this.opts.home, 'nats-users.csv'), 'utf8').split('\n').map((l) => l.split(','));
    const gw = users.find((u) => u[0] === 'api-gateway');
    return {
      etcd: { endpoints: [0, 1, 2].map((i) => `https://127.0.0.1:${this.ports.etcd + 3 * i}`), caFile: join(pki, 'ca.crt'), certFile: join(pki, 'etcd-client.crt'), keyFile: join(pki, 'etcd-client.key') },
      nats: gw ? { servers: [`tls://127.0.0.1:${this.ports.nats}`], caFile: join(pki, 'ca.crt'), user: gw[0], password: gw[1], inboxPrefix: '_INBOX_api-gateway' } : undefined,
    };
  }

  private pids(): PidRow[] {
    const file = join(this.opts.home, 'pids.json');
    if (!existsSync(file)) return [];
    try {
      return (JSON.parse(readFileSync(file, 'utf8')) as { procs: PidRow[] }).procs;
    } catch {
      return []; // being rewritten
    }
  }

  private pidOf(name: string): number | undefined {
    return this.pids().find((p) => p.name === name)?.pid;
  }

  async targets(): Promise<Target[]> {
    const out: Target[] = [];
    for (const p of this.pids()) {
      const k = kindOf(p.name);
      if (k) out.push({ name: p.name, ...k });
    }
    return out;
  }

  private signal(name: string, sig: NodeJS.Signals): void {
    const pid = this.pidOf(name);
    if (pid === undefined) throw new Error(`no process ${name}`);
    try { process.kill(-pid, sig); } catch { process.kill(pid, sig); }
  }

  async kill(name: string): Promise<void> {
    this.signal(name, 'SIGKILL');
  }

  async restart(name: string): Promise<void> {
    this.signal(name, 'SIGTERM');
  }

  async pause(name: string, ms: number): Promise<void> {
    const pid = this.pidOf(name);
    if (pid === undefined) throw new Error(`no process ${name}`);
    const sig = (s: NodeJS.Signals) => { try { process.kill(-pid, s); } catch { /* gone */ } };
    sig('SIGSTOP');
    await sleep(ms);
    sig('SIGCONT');
  }

  async leaderOf(service: string): Promise<string | undefined> {
    if (service === 'etcd') {
      for (let i = 0; i < 3; i++) {
        const metrics = await httpText(`http://127.0.0.1:${this.ports.etcd + 2 + 3 * i}/metrics`).catch(() => '');
        if (/^etcd_server_is_leader 1$/m.test(metrics)) return `etcd/${i}`;
      }
      return undefined;
    }
    let pid: number | undefined;
    if (service === 'relay') {
      const holder = await this.etcdClient?.get(RELAY_LEADER_KEY).string().catch(() => null);
      pid = holder ? Number(holder.split('/')[1]) : undefined;
    } else {
      const lease = await new Api(this.api(), 3000).call<{ spec?: { holderIdentity?: string } }>('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${service}`).catch(() => undefined);
      const id = lease?.spec?.holderIdentity;
      pid = id ? Number(id.split('_').pop()) : undefined;
    }
    return pid === undefined ? undefined : this.pids().find((p) => p.pid === pid)?.name;
  }

  async stop(): Promise<void> {
    this.etcdClient?.close();
    const s = this.supervisor;
    if (!s || s.exitCode !== null) return;
    const exited = new Promise((r) => s.once('exit', r));
    s.kill('SIGTERM');
    const t = setTimeout(() => s.kill('SIGKILL'), 60_000);
    await exited;
    clearTimeout(t);
  }
}

function httpText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: 2000 }, (res) => {
      let s = '';
      res.on('data', (c: Buffer) => (s += c.toString()));
      res.on('end', () => resolve(s));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}
