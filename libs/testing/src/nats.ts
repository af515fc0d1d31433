// A real NATS server (JetStream on by default) for tests: a container when
// Docker answers, else the local binary.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { ensureNatsCertificate, ensureNatsCredentials, inboxPrefixFor, natsServerConfig, type NatsCredentials, type NatsUser } from '@keelson/local';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts, waitForHttp } from './ports';
import { findBinary, ManagedProcess, removeNow, removeOnExit } from './managed-process';
import { testcontainers, testRuntime } from './docker';

export interface NatsServer {
  /** `nats://127.0.0.1:P` */
  url: string;
  /** `http://127.0.0.1:M` (monitoring: /healthz, /varz, /jsz) */
  monitorUrl: string;
  stop(): Promise<void>;
  kill(): Promise<void>;
  /** Stops and starts again on the same ports and store dir. */
  restart(): Promise<void>;
}

export interface StartNatsOptions {
  /** Contents of a nats-server configuration file (accounts, users, permissions…). */
  config?: string;
  /** Default true. */
  jetstream?: boolean;
  /** Host files the config names (certificates): copied to the same paths in a container. */
  files?: string[];
}

export const NATS_IMAGE = 'nats:2.10-alpine';
const READY_TIMEOUT_MS = 20_000;

export async function startNats(opts: StartNatsOptions = {}): Promise<NatsServer> {
  const config = withMaxPayload(opts.config);
  return (await testRuntime()) === 'docker' ? startNatsContainer({ ...opts, config }) : startNatsBinary({ ...opts, config });
}

/** max_payload as `npm start` configures it (NATS_MAX_PAYLOAD_BYTES in @keelson/local), unless the config sets one. */
export const TEST_NATS_MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

function withMaxPayload(config: string | undefined): string {
  if (config !== undefined && /^\s*max_payload\s*[:=]/m.test(config)) return config;
  return `${config ?? ''}\nmax_payload: ${TEST_NATS_MAX_PAYLOAD_BYTES}\n`;
}

export interface SecuredNats extends NatsServer {
  /** NATS user per service (always `api-gateway`), as `npm start` generates them. */
  users: Record<string, NatsUser>;
  creds: NatsCredentials;
  /** Set when the server requires TLS: the CA its certificate chains to (KEELSON_NATS_CA_FILE). */
  caFile?: string;
  connectOptions(service: string): SecuredNatsConnectOptions;
}

/**
 * NATS with the generated configuration `npm start` uses: one user per service, and only
 * `api-gateway` may publish events. Passwords live in `dir/nats-users.csv`.
 */
export async function startSecuredNats(opts: { dir: string; services?: string[]; tls?: boolean }): Promise<SecuredNats> {
  const creds = await ensureNatsCredentials(opts.dir, opts.services ?? ['controller']);
  // With `tls`, as `npm start`: a serving certificate from the local CA in `dir/pki`, TLS required.
  const tls = opts.tls ? await ensureNatsCertificate(opts.dir) : undefined;
  const server = await startNats({ config: natsServerConfig(creds, { tls }), files: tls ? [tls.certFile, tls.keyFile] : undefined });
  const connectOptions = (service: string): SecuredNatsConnectOptions => {
    const u = creds.users[service];
    if (!u) throw new Error(`no NATS user ${service}`);
    return { servers: server.url, user: u.user, pass: u.password, inboxPrefix: inboxPrefixFor(u.user), ...(tls ? { tls: { caFile: tls.caFile } } : {}) };
  };
  return { ...server, users: creds.users, creds, caFile: tls?.caFile, connectOptions };
}

/**
 * nats.js connect() options for a service's user: its own inbox prefix (the only one the server
 * lets it subscribe under) and TLS with the local CA when the server requires it.
 */
export interface SecuredNatsConnectOptions {
  servers: string;
  user: string;
  pass: string;
  inboxPrefix: string;
  tls?: { caFile: string };
}

async function startNatsBinary(opts: StartNatsOptions): Promise<NatsServer> {
  const binary = findBinary('nats-server', ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server']);
  if (!binary) throw new Error('nats-server binary not found (looked in /usr/sbin, /usr/bin, /usr/local/bin and PATH): install it with `apt-get install nats-server`, or run a Docker engine');
  const dir = mkdtempSync(join(tmpdir(), 'keelson-nats-'));
  removeOnExit(dir);
  const [port, monitorPort] = await freePorts(2);
  const args = ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort)];
  if (opts.config !== undefined) {
    const file = join(dir, 'nats.conf');
    writeFileSync(file, opts.config);
    args.unshift('-c', file); // command-line flags override the file's listen settings
  }
  if (opts.jetstream !== false) args.push('-js', '-sd', join(dir, 'store'));
  const monitorUrl = `http://127.0.0.1:${monitorPort}`;

  const launch = async (): Promise<ManagedProcess> => {
    const proc = new ManagedProcess(binary, args);
    try {
      await waitForHttp(`${monitorUrl}/healthz`, READY_TIMEOUT_MS,
        () => `nats-server (${binary}) did not become ready. stderr: ${proc.stderr() || '(empty)'}`, () => proc.exited);
    } catch (e) {
      await proc.kill();
      throw e;
    }
    return proc;
  };
  let proc = await launch().catch((e: unknown) => {
    removeNow(dir);
    throw e;
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    monitorUrl,
    stop: async () => {
      await proc.stop();
      removeNow(dir);
    },
    kill: () => proc.kill(),
    restart: async () => {
      await proc.stop();
      proc = await launch();
    },
  };
}

async function startNatsContainer(opts: StartNatsOptions): Promise<NatsServer> {
  const { GenericContainer, Wait } = testcontainers();
  // Fixed host ports so that restart() keeps the same URL.
  const [port, monitorPort] = await freePorts(2);
  const cmd = ['-p', '4222', '-m', '8222'];
  let container = new GenericContainer(NATS_IMAGE)
    .withExposedPorts({ container: 4222, host: port }, { container: 8222, host: monitorPort })
    .withWaitStrategy(Wait.forHttp('/healthz', 8222))
    .withStartupTimeout(READY_TIMEOUT_MS);
  if (opts.files?.length) container = container.withCopyFilesToContainer(opts.files.map((f) => ({ source: f, target: f })));
  if (opts.config !== undefined) {
    container = container.withCopyContentToContainer([{ content: opts.config, target: '/etc/nats/keelson.conf' }]);
    cmd.unshift('-c', '/etc/nats/keelson.conf');
  }
  if (opts.jetstream !== false) cmd.push('-js', '-sd', '/data');
  const started = await container.withCommand(cmd).start();
  const host = started.getHost();
  return {
    url: `nats://${host}:${port}`,
    monitorUrl: `http://${host}:${monitorPort}`,
    stop: async () => {
      await started.stop();
    },
    kill: async () => {
      await started.stop({ timeout: 0 });
    },
    restart: async () => {
      await started.restart();
    },
  };
}
