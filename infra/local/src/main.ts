// `npm start`: etcd and NATS, then the API gateway, then every other built service, each a
// supervised OS process. Ctrl-C stops them in reverse order.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { GATEWAY_NODE_FLAGS, apiUrl, etcdMembers, loadLocalConfig, type LocalConfig } from './config';
import { ensureCredentials, ensureEtcdCertificates, ensureNatsCertificate, writeKubeconfig, type Credentials, type EtcdCertificates } from './credentials';
import { ensureEncryptionConfig } from './encryption-config';
import { portFree, waitReady } from './health';
import { ensureNatsCredentials, writeNatsServerConfig, type NatsCredentials } from './nats-config';
import { stopMachines } from './machines';
import { ManagedProcess, formatTag } from './supervisor';

const GATEWAY = 'api-gateway';

function say(msg: string): void {
  process.stdout.write(`${formatTag('keelson', 0, process.stdout.isTTY ? 1 : undefined)} ${msg}\n`);
}

/** Built services other than the gateway, in name order (the order they start in). */
export function discoverServices(servicesDir: string): string[] {
  if (!existsSync(servicesDir)) return [];
  return readdirSync(servicesDir)
    .filter((n) => n !== GATEWAY && existsSync(join(servicesDir, n, 'dist', 'main.js')))
    .sort();
}

// A supervisor killed with SIGKILL leaves its (detached) children running and holding ports.
// Their pids are recorded; the next start ends those that still run the same command.
function pidFile(cfg: LocalConfig): string {
  return join(cfg.home, 'pids.json');
}

interface PidRecord { supervisor: number; procs: Array<{ name: string; pid: number; match: string }> }

function cmdlineOf(pid: number): string | undefined {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { return undefined; }
}

async function stopLeftovers(cfg: LocalConfig): Promise<void> {
  if (!existsSync(pidFile(cfg))) return;
  let recorded: PidRecord = { supervisor: 0, procs: [] };
  try {
    recorded = JSON.parse(readFileSync(pidFile(cfg), 'utf8')) as PidRecord;
  } catch {
    say('ignoring an unreadable pids.json');
  }
  if (recorded.supervisor && recorded.supervisor !== process.pid && cmdlineOf(recorded.supervisor)?.includes('main.js')) {
    throw new Error(`another Keelson (pid ${recorded.supervisor}) runs with ${cfg.home}; stop it first or set KEELSON_HOME`);
  }
  for (const p of recorded.procs ?? []) {
    if (!cmdlineOf(p.pid)?.includes(p.match)) continue; // gone, or the pid was reused by something else
    say(`stopping leftover ${p.name} (pid ${p.pid}) from an earlier run`);
    try { process.kill(-p.pid, 'SIGTERM'); } catch { try { process.kill(p.pid, 'SIGTERM'); } catch { /* gone */ } }
    for (let i = 0; i < 50 && existsSync(`/proc/${p.pid}`); i++) await new Promise((r) => setTimeout(r, 100));
    try { process.kill(-p.pid, 'SIGKILL'); } catch { /* gone */ }
  }
  const machines = await stopMachines(machinesRoot(cfg));
  if (machines.length) say(`stopped leftover autoscaler machine(s) ${machines.join(', ')} from an earlier run`);
}

/** Where the cluster autoscaler's `process` machines (kubelets it starts) keep their roots and records. */
function machinesRoot(cfg: LocalConfig): string {
  return join(cfg.home, 'autoscaler-kubelets');
}

function recordPids(cfg: LocalConfig, procs: Array<{ p: ManagedProcess; match: string }>): void {
  const rows = procs.filter(({ p }) => p.pid !== undefined).map(({ p, match }) => ({ name: p.name, pid: p.pid as number, match }));
  const rec: PidRecord = { supervisor: process.pid, procs: rows };
  writeFileSync(pidFile(cfg), JSON.stringify(rec, null, 2));
}

async function checkPorts(cfg: LocalConfig): Promise<void> {
  const wanted: Array<[string, number, string]> = [
    ['etcd client', cfg.etcdPort, 'KEELSON_ETCD_PORT'],
    ['etcd peer', cfg.etcdPeerPort, 'KEELSON_ETCD_PEER_PORT'],
    ['etcd metrics', cfg.etcdMetricsPort, 'KEELSON_ETCD_METRICS_PORT'],
    ['NATS', cfg.natsPort, 'KEELSON_NATS_PORT'],
    ['NATS monitor', cfg.natsMonitorPort, 'KEELSON_NATS_MONITOR_PORT'],
    ['API', cfg.apiPort, 'KEELSON_API_PORT'],
  ];
  const busy: string[] = [];
  for (const [what, port, env] of wanted) if (!(await portFree(port))) busy.push(`${what} port ${port} (set ${env})`);
  if (busy.length) throw new Error(`ports already in use: ${busy.join(', ')}. Is another Keelson running?`);
}

function gatewayEnv(cfg: LocalConfig, creds: Credentials, etcdTls: EtcdCertificates, nats: NatsCredentials, encryptionConfig: string, replica = 0): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KEELSON_ENCRYPTION_CONFIG: encryptionConfig, // Secrets encrypted at rest in etcd
    // etcd wants a client certificate from the local CA: the gateway's is the only one issued.
    KEELSON_ETCD_ENDPOINTS: etcdMembers(cfg).map((m) => `https://127.0.0.1:${m.clientPort}`).join(','),
    KEELSON_ETCD_CA_FILE: etcdTls.caFile,
    KEELSON_ETCD_CERT_FILE: etcdTls.clientCertFile,
    KEELSON_ETCD_KEY_FILE: etcdTls.clientKeyFile,
    KEELSON_API_HOST: cfg.apiHost,
    KEELSON_API_PORT: String(cfg.apiPort + replica), // HA: replica i listens on the next port
    KEELSON_TLS_CERT_FILE: creds.certFile,
    KEELSON_TLS_KEY_FILE: creds.keyFile,
    KEELSON_TOKEN_FILE: creds.tokenFile,
    // Every request, at the policy's level (default Metadata): `-` for stdout.
    KEELSON_AUDIT_LOG_PATH: process.env.KEELSON_AUDIT_LOG_PATH || join(cfg.home, 'audit.log'),
    KEELSON_CA_FILE: creds.caFile,
    KEELSON_TOKEN: creds.serviceTokens[GATEWAY],
    KEELSON_NATS_URL: `nats://127.0.0.1:${cfg.natsPort}`,
    KEELSON_NATS_CA_FILE: creds.caFile, // NATS' certificate is from the local CA
    KEELSON_NATS_USER: nats.users[GATEWAY].user,
    KEELSON_NATS_PASSWORD: nats.users[GATEWAY].password,
    OTEL_SERVICE_NAME: GATEWAY,
  };
}

function serviceEnv(cfg: LocalConfig, creds: Credentials, nats: NatsCredentials, name: string, index: number, replica = 0): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // HA: replica i of a service talks to gateway replica i (mod the gateway count).
    KEELSON_API_URL: apiUrl({ ...cfg, apiPort: cfg.apiPort + (replica % cfg.replicas) }),
    KEELSON_TOKEN: creds.serviceTokens[name],
    KEELSON_CA_FILE: creds.caFile,
    KEELSON_NATS_URL: `nats://127.0.0.1:${cfg.natsPort}`,
    KEELSON_NATS_CA_FILE: creds.caFile, // NATS' certificate is from the local CA
    KEELSON_NATS_USER: nats.users[name].user,
    KEELSON_NATS_PASSWORD: nats.users[name].password,
    // Every service serves /healthz, /readyz, /metrics; on one host each needs its own port.
    KEELSON_HEALTH_PORT: String(cfg.servicePortBase + index),
    OTEL_SERVICE_NAME: name,
  };
}

/**
 * The processes a service runs as: one, except the kubelet: two process-runtime nodes
 * (`node-1`, `node-2`) and, with KEELSON_SIMULATED_NODES=N (default 0), one more kubelet
 * hosting N simulated nodes (`sim-0` … `sim-<N-1>`). Kubelets serve logs on loopback and
 * accept only the gateway's token.
 */
const PROCESS_NODES = ['node-1', 'node-2'];

/**
 * The cluster-autoscaler's `process` provider on: its kubelets with the shared kubelet identity
 * and accepting the gateway's calls as node-1's do (the token read from its file, not put in
 * anyone's environment).
 */
function autoscalerEnv(cfg: LocalConfig, nats: NatsCredentials): NodeJS.ProcessEnv {
  if (!nats.users.kubelet) return {};
  return {
    KEELSON_AUTOSCALER_KUBELET_TOKEN_FILE: join(cfg.home, 'tokens', 'kubelet.token'),
    KEELSON_AUTOSCALER_KUBELET_NATS_USER: nats.users.kubelet.user,
    KEELSON_AUTOSCALER_KUBELET_NATS_PASSWORD: nats.users.kubelet.password,
    KEELSON_AUTOSCALER_KUBELET_ROOT: machinesRoot(cfg),
    KEELSON_AUTOSCALER_KUBELET_ENV: `KEELSON_KUBELET_AUTH_TOKEN_FILE=${join(cfg.home, 'tokens', `${GATEWAY}.token`)}`,
  };
}

function instancesOf(name: string, cfg: LocalConfig, creds: Credentials, nats: NatsCredentials): Array<{ tag: string; env: NodeJS.ProcessEnv }> {
  // kube-proxy: one per process node, beside its kubelet (the Service data plane of that node).
  if (name === 'kube-proxy') return PROCESS_NODES.map((n) => ({ tag: `kube-proxy/${n}`, env: { NODE_NAME: n } }));
  // metrics-server: one, scraping kubelets with their token (the gateway proxies metrics.k8s.io to it with the same).
  if (name === 'metrics-server') return [{ tag: name, env: { KEELSON_KUBELET_AUTH_TOKEN: creds.serviceTokens[GATEWAY] } }];
  if (name !== 'kubelet') {
    const env = name === 'cluster-autoscaler' ? autoscalerEnv(cfg, nats) : {};
    // HA (KEELSON_REPLICAS=N): N leader-elected replicas, each named for the Lease holder identity.
    if (cfg.replicas <= 1) return [{ tag: name, env }];
    return Array.from({ length: cfg.replicas }, (_, i) => ({ tag: `${name}/${i}`, env }));
  }
  const kubelet = (node: string, extra: NodeJS.ProcessEnv = {}) => ({
    tag: `kubelet/${node}`,
    env: { NODE_NAME: node, KEELSON_KUBELET_ROOT: join(cfg.home, 'kubelet', node), KEELSON_KUBELET_AUTH_TOKEN: creds.serviceTokens[GATEWAY], ...extra },
  });
  // Each process-runtime kubelet authenticates as its node (system:node:<name>); the simulated one, hosting many, keeps the shared kubelet identity.
  const out = PROCESS_NODES.map((n) => kubelet(n, { KEELSON_TOKEN: creds.nodeTokens[n] ?? creds.serviceTokens.kubelet }));
  const simulated = Number(process.env.KEELSON_SIMULATED_NODES ?? 0);
  if (simulated > 0) out.push(kubelet('sim', { KEELSON_KUBELET_RUNTIME: 'simulated', NODE_COUNT: String(simulated) }));
  return out;
}

export async function main(): Promise<void> {
  const cfg = loadLocalConfig();
  await mkdir(cfg.home, { recursive: true });
  await stopLeftovers(cfg);
  await checkPorts(cfg);

  const services = discoverServices(cfg.servicesDir);
  const gatewayMain = join(cfg.servicesDir, GATEWAY, 'dist', 'main.js');
  const creds = await ensureCredentials(cfg.home, { hostnames: cfg.extraSans, services, nodes: services.includes('kubelet') ? PROCESS_NODES : [], serviceClusterIpRange: process.env.KEELSON_SERVICE_CLUSTER_IP_RANGE });
  const etcdTls = await ensureEtcdCertificates(cfg.home);
  const encryptionConfig = await ensureEncryptionConfig(cfg.home);
  const kubeconfig = join(cfg.home, 'kubeconfig');
  await writeKubeconfig(kubeconfig, apiUrl(cfg), creds.caPem, creds.adminToken);
  // One NATS user per service; only the gateway may publish events.
  const natsCreds = await ensureNatsCredentials(cfg.home, services);
  // NATS serves TLS (certificate from the local CA); monitoring stays on loopback (`-a 127.0.0.1`).
  const natsTls = await ensureNatsCertificate(cfg.home);
  const natsConf = await writeNatsServerConfig(cfg.home, natsCreds, { storeDir: join(cfg.home, 'nats'), tls: natsTls });

  const width = Math.max(GATEWAY.length, 'keelson'.length, ...services.map((s) => (s === 'kubelet' || s === 'kube-proxy' ? `${s}/node-1`.length : s.length + (cfg.replicas > 1 ? 2 : 0))));
  const all: Array<{ p: ManagedProcess; match: string }> = [];
  const add = (p: ManagedProcess, match: string): ManagedProcess => {
    all.push({ p, match });
    p.on('event', () => recordPids(cfg, all));
    return p;
  };
  const node = (name: string, script: string, env: NodeJS.ProcessEnv, flags: string[] = []): ManagedProcess =>
    // A kubelet stops its pods before it exits (up to KEELSON_KUBELET_SHUTDOWN_GRACE_SECONDS, 8 s): give it the time.
    add(new ManagedProcess({ name, command: process.execPath, args: ['--enable-source-maps', ...flags, script], env, cwd: cfg.repoRoot, tagWidth: width, stopTimeoutMs: name.startsWith('kubelet/') ? 20_000 : undefined }), script);

  const members = etcdMembers(cfg);
  const initialCluster = members.map((m) => `${m.name}=http://127.0.0.1:${m.peerPort}`).join(',');
  const etcds = members.map((m) => add(new ManagedProcess({
    name: members.length > 1 ? `etcd/${m.name.replace('keelson-', '')}` : 'etcd', command: cfg.etcdBin, tagWidth: width, args: [
      '--name', m.name, '--data-dir', join(cfg.home, m.dataDir),
      '--listen-client-urls', `https://127.0.0.1:${m.clientPort}`, '--advertise-client-urls', `https://127.0.0.1:${m.clientPort}`,
      // Only holders of a client certificate from the local CA (the gateway) reach etcd.
      '--client-cert-auth', '--trusted-ca-file', etcdTls.caFile, '--cert-file', etcdTls.serverCertFile, '--key-file', etcdTls.serverKeyFile,
      '--listen-metrics-urls', `http://127.0.0.1:${m.metricsPort}`,
      '--listen-peer-urls', `http://127.0.0.1:${m.peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${m.peerPort}`,
      '--initial-cluster', initialCluster, '--initial-cluster-state', 'new', '--initial-cluster-token', 'keelson',
      '--quota-backend-bytes', String(cfg.etcdQuotaBytes), '--log-level', 'warn', '--logger', 'zap',
      // Idle watch caches learn etcd's revision from progress notifications: a consistent
      // watch (initial events as of a revision) waits for its cache to reach that revision.
      '--experimental-watch-progress-notify-interval', '500ms',
    ],
  }), join(cfg.home, m.dataDir)));
  const nats = add(new ManagedProcess({
    name: 'nats', command: cfg.natsBin, tagWidth: width,
    args: ['-c', natsConf, '-a', '127.0.0.1', '-p', String(cfg.natsPort), '-m', String(cfg.natsMonitorPort)],
  }), natsConf);

  // Stop order: services, then the gateway, then the servers it depends on.
  const tiers: ManagedProcess[][] = [[], [], [...etcds, nats]];
  let shuttingDown = false;
  let firstSignalAt = 0;
  const shutdown = async (sig: string): Promise<void> => {
    // npm and the terminal may both deliver the same Ctrl-C; only a later, second one forces.
    if (shuttingDown) {
      if (Date.now() - firstSignalAt < 1000) return;
      say('second signal: killing everything now');
      for (const { p } of all) p.killNow();
      process.exit(130);
    }
    shuttingDown = true;
    firstSignalAt = Date.now();
    say(`${sig}: stopping (services, gateway, then NATS and etcd)`);
    for (const [i, tier] of tiers.entries()) {
      await Promise.all(tier.map((p) => p.stop()));
      // After the services (the autoscaler cannot start them again), before the gateway (their
      // kubelets report their pods stopped): the autoscaler's machines outlive it, not npm start.
      if (i === 0) {
        const machines = await stopMachines(machinesRoot(cfg));
        if (machines.length) say(`stopped autoscaler machine(s) ${machines.join(', ')}`);
      }
    }
    recordPids(cfg, []);
    say('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));
  process.on('exit', () => { for (const { p } of all) p.killNow(); });

  say(`data in ${relative(process.cwd(), cfg.home) || '.'}; starting etcd and NATS`);
  for (const e of etcds) e.start();
  nats.start();
  await Promise.all([
    ...members.map((m) => waitReady(`http://127.0.0.1:${m.metricsPort}/health`, { timeoutMs: 30_000, cancelled: () => shuttingDown })),
    waitReady(`http://127.0.0.1:${cfg.natsMonitorPort}/healthz`, { timeoutMs: 30_000, cancelled: () => shuttingDown }),
  ]);
  say('etcd and NATS ready');

  if (existsSync(gatewayMain)) {
    for (let r = 0; r < cfg.replicas; r++) {
      const gateway = node(cfg.replicas > 1 ? `${GATEWAY}/${r}` : GATEWAY, gatewayMain, gatewayEnv(cfg, creds, etcdTls, natsCreds, encryptionConfig, r), GATEWAY_NODE_FLAGS);
      tiers[1].push(gateway);
      gateway.start();
    }
    try {
      await waitReady(`${apiUrl(cfg)}/readyz`, { timeoutMs: 60_000, ca: creds.caPem, cancelled: () => shuttingDown });
      say(`api-gateway ready at ${apiUrl(cfg)}${cfg.replicas > 1 ? ` (replicas on the next ${cfg.replicas - 1} port(s))` : ''}`);
    } catch (err) {
      say(`api-gateway is not ready yet (${(err as Error).message}); starting services anyway, they retry`);
    }
  } else {
    say(`no ${relative(cfg.repoRoot, gatewayMain)} (not built?); running etcd and NATS only`);
  }

  let healthIndex = 0;
  for (const name of services) {
    for (const [replica, inst] of instancesOf(name, cfg, creds, natsCreds).entries()) {
      const p = node(inst.tag, join(cfg.servicesDir, name, 'dist', 'main.js'), { ...serviceEnv(cfg, creds, natsCreds, name, healthIndex++, replica), ...inst.env });
      tiers[0].push(p);
      p.start();
    }
  }
  if (services.length) say(`started ${services.join(', ')}`);

  say('ready. Use it with:');
  say(`  export KUBECONFIG=${kubeconfig}`);
  say('  kubectl get ns');
  say('Ctrl-C stops everything; data stays in KEELSON_HOME.');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    say(`failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
