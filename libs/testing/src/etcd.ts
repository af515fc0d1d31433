// A real etcd for tests: a container when Docker answers, else the local binary.
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForHttp } from './ports';
import { findBinary, ManagedProcess, removeNow, removeOnExit } from './managed-process';
import { testcontainers, testRuntime } from './docker';

export interface EtcdServer {
  /** `http://127.0.0.1:P` */
  endpoint: string;
  dataDir: string;
  /** Graceful stop; removes the data dir if the harness created it. */
  stop(): Promise<void>;
  /** SIGKILL; the data dir is kept so a test can restart on it. */
  kill(): Promise<void>;
}

export interface StartEtcdOptions {
  /** Reuse a data dir (e.g. after `kill()`); default a fresh temp dir. */
  dataDir?: string;
}

export const ETCD_IMAGE = 'quay.io/coreos/etcd:v3.5.17';
const READY_TIMEOUT_MS = 20_000;
// 2 GiB: well above what tests write, and bounded so a runaway test fails loudly.
const QUOTA_BACKEND_BYTES = String(2 * 1024 * 1024 * 1024);

export const PROGRESS_NOTIFY_INTERVAL = '500ms';

export async function startEtcd(opts: StartEtcdOptions = {}): Promise<EtcdServer> {
  return (await testRuntime()) === 'docker' ? startEtcdContainer(opts) : startEtcdBinary(opts);
}

function etcdArgs(dataDir: string, clientUrl: string, advertiseUrl: string, peerUrl: string): string[] {
  return [
    '--name', 'n1', '--data-dir', dataDir,
    '--listen-client-urls', clientUrl, '--advertise-client-urls', advertiseUrl,
    '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `n1=${peerUrl}`, '--initial-cluster-state', 'new',
    '--quota-backend-bytes', QUOTA_BACKEND_BYTES, '--log-level', 'warn', '--logger', 'zap',
    // Idle watchers learn the current revision quickly (watch caches use it for freshness).
    '--experimental-watch-progress-notify-interval', PROGRESS_NOTIFY_INTERVAL,
  ];
}

async function startEtcdBinary(opts: StartEtcdOptions): Promise<EtcdServer> {
  const binary = findBinary('etcd', ['/usr/bin/etcd', '/usr/local/bin/etcd']);
  if (!binary) throw new Error('etcd binary not found (looked in /usr/bin/etcd, /usr/local/bin/etcd and PATH): install it with `apt-get install etcd-server`, or run a Docker engine');
  const owned = !opts.dataDir;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'keelson-etcd-'));
  if (owned) removeOnExit(dataDir);
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const proc = new ManagedProcess(binary, etcdArgs(dataDir, endpoint, endpoint, `http://127.0.0.1:${peerPort}`));
  try {
    await waitForHttp(`${endpoint}/health`, READY_TIMEOUT_MS,
      () => `etcd (${binary}) did not become ready; install with \`apt-get install etcd-server\`. stderr: ${proc.stderr() || '(empty)'}`,
      () => proc.exited);
  } catch (e) {
    await proc.kill();
    if (owned) removeNow(dataDir);
    throw e;
  }
  return {
    endpoint,
    dataDir,
    stop: async () => {
      await proc.stop();
      if (owned) removeNow(dataDir);
    },
    kill: () => proc.kill(),
  };
}

async function startEtcdContainer(opts: StartEtcdOptions): Promise<EtcdServer> {
  const { GenericContainer, Wait } = testcontainers();
  const inside = '/etcd-data';
  let container = new GenericContainer(ETCD_IMAGE)
    .withCommand(['etcd', ...etcdArgs(inside, 'http://0.0.0.0:2379', 'http://127.0.0.1:2379', 'http://127.0.0.1:2380')])
    .withExposedPorts(2379)
    .withWaitStrategy(Wait.forHttp('/health', 2379))
    .withStartupTimeout(READY_TIMEOUT_MS);
  if (opts.dataDir) {
    mkdirSync(opts.dataDir, { recursive: true });
    container = container.withBindMounts([{ source: opts.dataDir, target: inside }]);
  }
  const started = await container.start();
  return {
    endpoint: `http://${started.getHost()}:${started.getMappedPort(2379)}`,
    dataDir: opts.dataDir ?? inside,
    stop: async () => {
      await started.stop();
    },
    kill: async () => {
      await started.stop({ timeout: 0, remove: !opts.dataDir });
    },
  };
}
