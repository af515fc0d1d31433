// A real etcd for tests: a container when Docker answers, else the local binary. Like the
// local cluster it requires client certificates (`--client-cert-auth`, certificates from the
// local CA): the gateway and tests that read etcd directly connect with `clientOptions`, and a
// process without the client certificate is refused.
import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { ensureEtcdCertificates, type EtcdCertificates } from '@keelson/local';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts, waitForHttp } from './ports';
import { findBinary, ManagedProcess, removeNow, removeOnExit } from './managed-process';
import { testcontainers, testRuntime } from './docker';

export interface EtcdServer {
  /** `https://127.0.0.1:P` */
  endpoint: string;
  /** CA, etcd's serving certificate and the client certificate etcd accepts. */
  tls: EtcdCertificates;
  /** etcd3 client options with the client certificate: `new Etcd3(etcd.clientOptions)`. */
  clientOptions: EtcdClientOptions;
  /** The gateway's environment for this etcd (KEELSON_ETCD_ENDPOINTS, _CA_FILE, _CERT_FILE, _KEY_FILE). */
  env: Record<string, string>;
  dataDir: string;
  /** Graceful stop; removes the data dir if the harness created it. */
  stop(): Promise<void>;
  /** SIGKILL; the data dir is kept so a test can restart on it. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT (the local binary only): etcd holds every connection and answers nothing meanwhile. */
  freeze?(frozen: boolean): void;
  /** etcd's recent stderr (the local binary only), to tell why it stopped. */
  log?(): string;
}

export interface StartEtcdOptions {
  /** Reuse a data dir (e.g. after `kill()`); default a fresh temp dir. */
  dataDir?: string;
  /** Where the PKI lives (`<dir>/pki`, the local CA): default a fresh temp dir. */
  pkiDir?: string;
}

/** The subset of etcd3's IOptions a client needs here (kept structural: no etcd3 types in the API). */
export interface EtcdClientOptions {
  hosts: string;
  credentials: { rootCertificate: Buffer; certChain: Buffer; privateKey: Buffer };
}

function connectionInfo(endpoint: string, tls: EtcdCertificates): Pick<EtcdServer, 'endpoint' | 'tls' | 'clientOptions' | 'env'> {
  return {
    endpoint,
    tls,
    clientOptions: {
      hosts: endpoint,
      credentials: { rootCertificate: readFileSync(tls.caFile), certChain: readFileSync(tls.clientCertFile), privateKey: readFileSync(tls.clientKeyFile) },
    },
    env: { KEELSON_ETCD_ENDPOINTS: endpoint, KEELSON_ETCD_CA_FILE: tls.caFile, KEELSON_ETCD_CERT_FILE: tls.clientCertFile, KEELSON_ETCD_KEY_FILE: tls.clientKeyFile },
  };
}

async function pki(opts: StartEtcdOptions): Promise<EtcdCertificates> {
  let dir = opts.pkiDir;
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), 'keelson-etcd-pki-'));
    removeOnExit(dir);
  }
  return ensureEtcdCertificates(dir);
}

export const ETCD_IMAGE = 'quay.io/coreos/etcd:v3.5.17';
const READY_TIMEOUT_MS = 20_000;
// 2 GiB: well above what tests write, and bounded so a runaway test fails loudly.
const QUOTA_BACKEND_BYTES = String(2 * 1024 * 1024 * 1024);

export const PROGRESS_NOTIFY_INTERVAL = '500ms';

export async function startEtcd(opts: StartEtcdOptions = {}): Promise<EtcdServer> {
  return (await testRuntime()) === 'docker' ? startEtcdContainer(opts) : startEtcdBinary(opts);
}

interface TlsPaths { ca: string; cert: string; key: string }

function etcdArgs(dataDir: string, clientUrl: string, advertiseUrl: string, peerUrl: string, metricsUrl: string, tls: TlsPaths): string[] {
  return [
    '--name', 'n1', '--data-dir', dataDir,
    '--listen-client-urls', clientUrl, '--advertise-client-urls', advertiseUrl,
    // Clients must present a certificate from the local CA; /health is served unauthenticated
    // on the separate metrics listener only.
    '--client-cert-auth', '--trusted-ca-file', tls.ca, '--cert-file', tls.cert, '--key-file', tls.key,
    '--listen-metrics-urls', metricsUrl,
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
  const tls = await pki(opts);
  // A port freePort handed out can be taken before etcd binds it (etcd's own gateway dials its
  // client port from an ephemeral one at start): try again on fresh ports.
  for (let attempt = 1; ; attempt++) {
    const [clientPort, peerPort, metricsPort] = await freePorts(3);
    const endpoint = `https://127.0.0.1:${clientPort}`;
    const metrics = `http://127.0.0.1:${metricsPort}`;
    const proc = new ManagedProcess(binary, etcdArgs(dataDir, endpoint, endpoint, `http://127.0.0.1:${peerPort}`, metrics,
      { ca: tls.caFile, cert: tls.serverCertFile, key: tls.serverKeyFile }));
    try {
      await waitForHttp(`${metrics}/health`, READY_TIMEOUT_MS,
        () => `etcd (${binary}) did not become ready; install with \`apt-get install etcd-server\`. stderr: ${proc.stderr() || '(empty)'}`,
        () => proc.exited);
    } catch (e) {
      await proc.kill();
      if (attempt < 3 && proc.stderr().includes('address already in use')) {
        if (owned) { removeNow(dataDir); mkdirSync(dataDir, { recursive: true }); } // a fresh member, not a half-made one
        continue;
      }
      if (owned) removeNow(dataDir);
      throw e;
    }
    return {
      ...connectionInfo(endpoint, tls),
      dataDir,
      stop: async () => {
        await proc.stop();
        if (owned) removeNow(dataDir);
      },
      kill: () => proc.kill(),
      freeze: (frozen) => { if (proc.pid) process.kill(proc.pid, frozen ? 'SIGSTOP' : 'SIGCONT'); },
      log: () => proc.stderr(),
    };
  }
}

async function startEtcdContainer(opts: StartEtcdOptions): Promise<EtcdServer> {
  const { GenericContainer, Wait } = testcontainers();
  const inside = '/etcd-data';
  const tls = await pki(opts);
  const certs = { ca: '/etcd-pki/ca.crt', cert: '/etcd-pki/server.crt', key: '/etcd-pki/server.key' };
  let container = new GenericContainer(ETCD_IMAGE)
    .withCommand(['etcd', ...etcdArgs(inside, 'https://0.0.0.0:2379', 'https://127.0.0.1:2379', 'http://127.0.0.1:2380', 'http://0.0.0.0:2381', certs)])
    .withCopyFilesToContainer([
      { source: tls.caFile, target: certs.ca },
      { source: tls.serverCertFile, target: certs.cert },
      { source: tls.serverKeyFile, target: certs.key },
    ])
    .withExposedPorts(2379, 2381)
    .withWaitStrategy(Wait.forHttp('/health', 2381))
    .withStartupTimeout(READY_TIMEOUT_MS);
  if (opts.dataDir) {
    mkdirSync(opts.dataDir, { recursive: true });
    container = container.withBindMounts([{ source: opts.dataDir, target: inside }]);
  }
  const started = await container.start();
  return {
    // The serving certificate covers localhost and 127.0.0.1, which is where mapped ports answer.
    ...connectionInfo(`https://127.0.0.1:${started.getMappedPort(2379)}`, tls),
    dataDir: opts.dataDir ?? inside,
    stop: async () => {
      await started.stop();
    },
    kill: async () => {
      await started.stop({ timeout: 0, remove: !opts.dataDir });
    },
  };
}
