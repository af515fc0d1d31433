// The whole cluster exactly as `npm start` runs it (infra/local's supervisor: etcd, NATS, the
// gateway, every built service, two process kubelets), in a private KEELSON_HOME on free
// ports, with extra environment for every process (e.g. OTEL_EXPORTER_OTLP_ENDPOINT). For
// tests that must see what a user sees, not what a harness wires up.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { discoverServices } from '@keelson/local';
import { httpsFetch, type KubectlResult } from './control-plane';
import { freePort, freePortRange, freePorts } from './ports';
import { cleanUpOnSignal } from './managed-process';

const ROOT = resolve(__dirname, '../../..');
const SUPERVISOR = join(ROOT, 'infra/local/dist/main.js');

export interface LocalCluster {
  home: string;
  url: string;
  kubeconfig: string;
  /** kubectl that must succeed; returns stdout. */
  k(...args: string[]): Promise<string>;
  kubectl(args: string[], opts?: { input?: string }): Promise<KubectlResult>;
  /** Raw HTTPS with the admin token. */
  request(method: string, path: string, opts?: { body?: string; headers?: Record<string, string> }): Promise<{ status: number; body: string; headers: Headers }>;
  /** The supervisor's output (every process, tagged), last ~200 KB. */
  log(): string;
  /** The supervisor's pid (what a terminal's Ctrl-C reaches). */
  supervisorPid: number;
  /** Stops the supervisor (SIGTERM, or `signal`: SIGINT is Ctrl-C) and, unless `keepHome`, deletes KEELSON_HOME. */
  stop(opts?: { signal?: NodeJS.Signals; keepHome?: boolean }): Promise<void>;
}

export interface LocalClusterOptions {
  /** Added to the supervisor's environment, which every process it starts inherits. */
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  /** An existing KEELSON_HOME (a cluster started again on its earlier data); default a new temporary one. */
  home?: string;
}

export async function startLocalCluster(opts: LocalClusterOptions = {}): Promise<LocalCluster> {
  if (!existsSync(SUPERVISOR)) throw new Error(`${SUPERVISOR} is missing: run \`npm run build\` first`);
  const home = opts.home ?? mkdtempSync(join(tmpdir(), 'keelson-local-'));
  chmodSync(home, 0o755);
  const services = discoverServices(join(ROOT, 'services'));
  // One health port per process: the kubelet and kube-proxy run as two each (node-1, node-2).
  const processes = services.length + (services.includes('kubelet') ? 1 : 0) + (services.includes('kube-proxy') ? 1 : 0);
  const servicePortBase = await freePortRange(processes);
  const [etcd, etcdPeer, etcdMetrics, nats, natsMonitor, api] = await freePorts(6, (p) => p >= servicePortBase && p < servicePortBase + processes);
  const ports = { etcd, etcdPeer, etcdMetrics, nats, natsMonitor, api };
  const url = `https://127.0.0.1:${ports.api}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KEELSON_HOME: home,
    KEELSON_ETCD_PORT: String(ports.etcd),
    KEELSON_ETCD_PEER_PORT: String(ports.etcdPeer),
    KEELSON_ETCD_METRICS_PORT: String(ports.etcdMetrics),
    KEELSON_NATS_PORT: String(ports.nats),
    KEELSON_NATS_MONITOR_PORT: String(ports.natsMonitor),
    KEELSON_API_PORT: String(ports.api),
    KEELSON_SERVICE_PORT_BASE: String(servicePortBase),
    KEELSON_LOG_LEVEL: process.env.KEELSON_LOG_LEVEL ?? 'warn',
    ...opts.env,
  };
  let log = '';
  const child: ChildProcess = spawn(process.execPath, ['--enable-source-maps', SUPERVISOR], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (b: Buffer): void => {
    log = (log + b.toString()).slice(-200_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;

  const stop = async (sopts: { signal?: NodeJS.Signals; keepHome?: boolean } = {}): Promise<void> => {
    if (running()) {
      child.kill(sopts.signal ?? 'SIGTERM'); // the supervisor stops services, the gateway, then NATS and etcd
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    if (!sopts.keepHome) rmSync(home, { recursive: true, force: true });
    forgetOnSignal();
  };
  // Ctrl-C of the test run: the supervisor stops the cluster as it does for a user's Ctrl-C.
  const forgetOnSignal = cleanUpOnSignal(() => stop({ signal: 'SIGINT' }));

  const kubeconfig = join(home, 'kubeconfig');
  const cacheDir = join(home, 'kube-cache');
  const kubectl: LocalCluster['kubectl'] = (args, kopts = {}) =>
    new Promise((resolvePromise, reject) => {
      const k = spawn('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], { env: { ...process.env, KUBECONFIG: kubeconfig }, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      k.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      k.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      const timer = setTimeout(() => k.kill('SIGKILL'), 30_000);
      k.on('error', reject);
      k.on('close', (code) => {
        clearTimeout(timer);
        resolvePromise({ code: code ?? -1, stdout, stderr });
      });
      k.stdin.end(kopts.input ?? '');
    });
  const k = async (...args: string[]): Promise<string> => {
    const r = await kubectl(args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}:\n${r.stderr}\n${r.stdout}\n--- cluster log ---\n${log.slice(-4000)}`);
    return r.stdout;
  };
  let admin: { token: string; caPem: string } | undefined;
  const credentials = (): { token: string; caPem: string } => {
    // What npm start wrote for the user: the kubeconfig's CA and admin token.
    admin ??= (() => {
      const text = readFileSync(kubeconfig, 'utf8');
      const ca = /certificate-authority-data: (\S+)/.exec(text)?.[1];
      const token = /token: "?([^"\s]+)"?/.exec(text)?.[1];
      if (!ca || !token) throw new Error(`cannot read the CA and token from ${kubeconfig}`);
      return { caPem: Buffer.from(ca, 'base64').toString('utf8'), token };
    })();
    return admin;
  };
  const request: LocalCluster['request'] = (method, path, ropts = {}) => {
    const { token, caPem } = credentials();
    return httpsFetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(ropts.headers ?? {}) }, body: ropts.body, ca: caPem });
  };

  // Ready: every service answers /readyz (the gateway before them), as an operator would check. The
  // deadline is generous: npm start now runs ~25 processes, each loading its modules on 2 cores.
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 180_000);
  try {
    for (let i = 0; i < processes; i++) {
      for (;;) {
        if (!running()) throw new Error(`npm start's supervisor exited (${String(child.exitCode ?? child.signalCode)})`);
        const ok = await fetch(`http://127.0.0.1:${servicePortBase + i}/readyz`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status === 200, () => false);
        if (ok) break;
        if (Date.now() > deadline) throw new Error(`the service on health port ${servicePortBase + i} is not ready`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n--- cluster log ---\n${log.slice(-6000)}`);
  }
  return { home, url, kubeconfig, k, kubectl, request, log: () => log, supervisorPid: child.pid!, stop };
}
