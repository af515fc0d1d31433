// A whole control plane for e2e tests and benchmarks: real etcd, credentials, and the
// built api-gateway as a child process; `kubectl` runs the real kubectl against it.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GATEWAY_NODE_FLAGS, ensureCredentials, ensureEncryptionConfig, stopMachines, writeKubeconfig, type Credentials } from '@keelson/local';
import { startEtcd, type EtcdServer } from './etcd';
import { serviceProcess, type ServiceProcess } from './service-process';
import { startSecuredNats, type SecuredNats } from './nats';
import { freePort } from './ports';
import { cleanUpOnSignal } from './managed-process';

const ROOT = resolve(__dirname, '../../..'); // from libs/testing/src or libs/testing/dist
const GATEWAY_MAIN = join(ROOT, 'services/api-gateway/dist/main.js');

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ControlPlane {
  url: string;
  etcd: EtcdServer;
  creds: Credentials;
  kubeconfig: string;
  dir: string;
  /** Runs the real kubectl with this cluster's kubeconfig and a private discovery cache. */
  kubectl(args: string[], opts?: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<KubectlResult>;
  /** kubectl that must succeed; returns stdout. */
  k(...args: string[]): Promise<string>;
  /** Raw HTTPS request with the admin token (or the given headers). */
  request(method: string, path: string, opts?: { body?: string | Buffer; headers?: Record<string, string>; token?: string | null }): Promise<{ status: number; body: string; headers: Headers }>;
  killGateway(signal?: NodeJS.Signals): Promise<void>;
  gatewayLog(): string;
  startGateway(): Promise<void>;
  /** The first gateway replica (what startGateway/killGateway/gatewayLog act on). */
  gateway: GatewayReplica;
  /** NATS with the generated per-service users, when started with `nats`. */
  nats?: SecuredNats;
  /** Starts one more gateway replica (same etcd, NATS and credentials) on its own port. */
  addGatewayReplica(): Promise<GatewayReplica>;
  /**
   * Starts `services/<name>/dist/main.js` with its own token and NATS user (name it in
   * `opts.services`), the API URL and CA, and a health port; waits for its `/readyz`.
   * `instance` distinguishes replicas (e.g. two kubelets or two leader-elected replicas).
   */
  startService(name: string, opts?: { env?: Record<string, string>; instance?: string; nodeArgs?: string[] }): Promise<ServiceProcess & { healthPort: number }>;
  stop(): Promise<void>;
}

/** One gateway child process. */
export interface GatewayReplica {
  url: string;
  /** Starts it and waits for /readyz. */
  start(): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  log(): string;
  /** While it runs. */
  pid(): number | undefined;
}

export interface ControlPlaneOptions {
  /** Extra environment for the gateway, e.g. OTEL_EXPORTER_OTLP_ENDPOINT. */
  env?: Record<string, string>;
  /** Extra node flags for the gateway, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  /** Start NATS with the generated per-service users and give the gateway its NATS identity (so it relays). */
  nats?: boolean | { services: string[] };
  /**
   * NATS requires TLS (certificate from the cluster's CA) — default true, as `npm start` and
   * compose run it, so tests run production's configuration; connect with
   * `nats.connectOptions(user)`. `false` only for a test that must see plaintext NATS.
   */
  natsTls?: boolean;
  /** Services (folder names under services/) that get a token and a NATS user, for startService. */
  services?: string[];
  /** Nodes whose kubelet (startService('kubelet', { env: { NODE_NAME } })) authenticates as `system:node:<name>`. */
  nodes?: string[];
}

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  if (!existsSync(GATEWAY_MAIN)) throw new Error(`${GATEWAY_MAIN} is missing: run \`npm run build\` first (npm test does)`);
  const dir = mkdtempSync(join(tmpdir(), 'keelson-e2e-'));
  // Like KEELSON_HOME: traversable (kubelet roots live here and pods run unprivileged), while
  // every credential in it is a 0600 file or sits in a 0700 directory.
  chmodSync(dir, 0o755);
  const etcd = await startEtcd({ pkiDir: dir }); // etcd's certificates come from the cluster's CA
  const encryptionConfig = await ensureEncryptionConfig(dir); // Secrets encrypted at rest, as with npm start
  const serviceNames = [...new Set([...(opts.services ?? []), ...(typeof opts.nats === 'object' ? opts.nats.services : [])])];
  const creds = await ensureCredentials(dir, { services: serviceNames, nodes: opts.nodes, serviceClusterIpRange: opts.env?.KEELSON_SERVICE_CLUSTER_IP_RANGE });
  const port = await freePort();
  const url = `https://127.0.0.1:${port}`;
  const kubeconfig = join(dir, 'kubeconfig');
  await writeKubeconfig(kubeconfig, url, creds.caPem, creds.adminToken);
  const cacheDir = join(dir, 'kube-cache');
  const nats = opts.nats || serviceNames.length ? await startSecuredNats({ dir, services: serviceNames.length ? serviceNames : ['controller'], tls: opts.natsTls ?? true }) : undefined;
  const natsCa: Record<string, string> = nats?.caFile ? { KEELSON_NATS_CA_FILE: nats.caFile } : {};
  const natsEnv: Record<string, string> = nats
    ? { KEELSON_NATS_URL: nats.url, KEELSON_NATS_USER: nats.users['api-gateway'].user, KEELSON_NATS_PASSWORD: nats.users['api-gateway'].password, ...natsCa }
    : {};

  // One gateway child process on `replicaPort`; the primary listens on `port`, others on their own.
  const replica = (replicaPort: number): GatewayReplica => {
    const replicaUrl = `https://127.0.0.1:${replicaPort}`;
    const proc = serviceProcess({
      name: 'api-gateway',
      main: GATEWAY_MAIN,
      nodeArgs: [...GATEWAY_NODE_FLAGS, ...(opts.nodeArgs ?? [])], // as npm start and the image run it
      env: {
        ...process.env,
        ...etcd.env,
        KEELSON_ENCRYPTION_CONFIG: encryptionConfig,
        KEELSON_API_PORT: String(replicaPort),
        KEELSON_TLS_CERT_FILE: creds.certFile,
        KEELSON_TLS_KEY_FILE: creds.keyFile,
        KEELSON_TOKEN_FILE: creds.tokenFile,
        KEELSON_CA_FILE: creds.caFile, // published to pods as ConfigMap kube-root-ca.crt, as with npm start
        KEELSON_LOG_LEVEL: process.env.KEELSON_LOG_LEVEL ?? 'warn',
        ...natsEnv,
        ...opts.env,
      },
      ready: () => httpsFetch(`${replicaUrl}/readyz`, { method: 'GET', headers: {}, ca: creds.caPem }).then((r) => r.status === 200),
    });
    return { url: replicaUrl, start: proc.start, kill: proc.kill, log: proc.log, pid: proc.pid };
  };
  const primary = replica(port);
  const replicas: GatewayReplica[] = [primary];
  const startGateway = primary.start;
  const killGateway = primary.kill;
  const addGatewayReplica = async (): Promise<GatewayReplica> => {
    const r = replica(await freePort());
    replicas.push(r);
    await r.start();
    return r;
  };

  await startGateway();

  const services: ServiceProcess[] = [];
  const machineRoots = new Set<string>();
  const startService: ControlPlane['startService'] = async (name, sopts = {}) => {
    const main = join(ROOT, 'services', name, 'dist/main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
    // A kubelet of a node with its own credential is that node (the Node authorizer's identity).
    const token = (name === 'kubelet' && sopts.env?.NODE_NAME && creds.nodeTokens[sopts.env.NODE_NAME]) || creds.serviceTokens[name];
    const natsUser = nats?.users[name];
    if (!token || !natsUser) throw new Error(`service ${name} has no credentials: list it in startControlPlane({ services })`);
    const healthPort = await freePort();
    // The autoscaler's `process` machines outlive it (as with npm start): stop() ends them.
    if (name === 'cluster-autoscaler') machineRoots.add(sopts.env?.KEELSON_AUTOSCALER_KUBELET_ROOT ?? join(dir, 'autoscaler-kubelets'));
    const proc = serviceProcess({
      name: sopts.instance ? `${name}/${sopts.instance}` : name,
      main,
      nodeArgs: sopts.nodeArgs,
      env: {
        ...process.env,
        KEELSON_API_URL: url,
        KEELSON_TOKEN: token,
        KEELSON_CA_FILE: creds.caFile,
        KEELSON_NATS_URL: nats!.url,
        KEELSON_NATS_USER: natsUser.user,
        KEELSON_NATS_PASSWORD: natsUser.password,
        ...natsCa,
        KEELSON_HEALTH_PORT: String(healthPort),
        KEELSON_LOG_LEVEL: process.env.KEELSON_LOG_LEVEL ?? 'warn',
        OTEL_SERVICE_NAME: name,
        ...(name === 'cluster-autoscaler' ? { KEELSON_AUTOSCALER_KUBELET_ROOT: join(dir, 'autoscaler-kubelets') } : {}),
        ...sopts.env,
      },
      ready: () => fetch(`http://127.0.0.1:${healthPort}/readyz`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status === 200),
    });
    services.push(proc);
    await proc.start();
    return Object.assign(proc, { healthPort }); // /healthz, /readyz and /metrics
  };

  const kubectl: ControlPlane['kubectl'] = (args, opts = {}) =>
    new Promise((resolvePromise, reject) => {
      const child = spawn('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], {
        env: { ...process.env, KUBECONFIG: kubeconfig, ...opts.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolvePromise({ code: code ?? -1, stdout, stderr });
      });
      child.stdin.end(opts.input ?? '');
    });

  const k = async (...args: string[]): Promise<string> => {
    const r = await kubectl(args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}:\n${r.stderr}\n${r.stdout}\n--- gateway log ---\n${primary.log().slice(-3000)}`);
    return r.stdout;
  };

  const request: ControlPlane['request'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? creds.adminToken}`;
    const res = await httpsFetch(`${url}${path}`, { method, headers, body: opts.body, ca: creds.caPem });
    return res;
  };

  // Once, whoever asks first: the test, or a signal (Ctrl-C of a bench or a test run).
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= (async () => {
    await Promise.all(services.map((p) => p.kill('SIGTERM')));
    for (const root of machineRoots) await stopMachines(root);
    await Promise.all(replicas.map((r) => r.kill('SIGTERM')));
    await nats?.stop();
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
    forgetOnSignal();
  })());
  const forgetOnSignal = cleanUpOnSignal(stop);

  return {
    url,
    etcd,
    creds,
    kubeconfig,
    dir,
    kubectl,
    k,
    request,
    killGateway,
    startGateway,
    gatewayLog: primary.log,
    gateway: primary,
    nats,
    addGatewayReplica,
    startService,
    stop,
  };
}

/** HTTPS with a private CA (fetch cannot take one without undici internals). */
export function httpsFetch(
  url: string,
  opts: { method: string; headers: Record<string, string>; body?: string | Buffer; ca: string },
): Promise<{ status: number; body: string; headers: Headers }> {
  return new Promise((resolvePromise, reject) => {
    const req = httpsRequest(url, { method: opts.method, headers: opts.headers, ca: opts.ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
        resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers });
      });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}
