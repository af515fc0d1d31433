// Brings docker-compose.yml up as project `keelson-<id>` and drives it: engine, base images
// (official or stand-ins), the project's images (compose build, layer-cached), health, chaos
// actions by service name, and a teardown that leaves nothing behind.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dockerFirewallChains, ensureEngine, type Engine } from './engine';
import { CommandError, must, run, sleep } from './run';
import { baseImages } from './standins';
import type { BackendPorts, ComposeStack, ComposeUpOptions, ExecResult, ServiceState } from './types';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

/**
 * A copy of the working tree (sources only) to build from: other work in the same checkout keeps
 * changing files, and every image built from a moving context would redo `tsc` (the layer cache
 * keys on the context). One snapshot gives all images the same sources.
 */
async function snapshotSources(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-compose-src-'));
  // KEELSON_COMPOSE_FROM=HEAD: the last commit instead of the working tree (others' unfinished
  // edits in a shared checkout stay out of the images).
  if (process.env.KEELSON_COMPOSE_FROM === 'HEAD') {
    await must('sh', ['-c', 'git -C "$1" archive --format=tar HEAD | tar -C "$2" -xf -', 'snapshot', REPO_ROOT, dir], { timeoutMs: 300_000 });
    return dir;
  }
  const excludes = ['node_modules', 'dist', '.git', '.keelson', 'coverage', '*.tsbuildinfo', '*.log'].map((e) => `--exclude=${e}`);
  await must('sh', ['-c', `tar -C "$1" ${excludes.map((e) => `'${e}'`).join(' ')} -cf - . | tar -C "$2" -xf -`, 'snapshot', REPO_ROOT, dir], { timeoutMs: 300_000 });
  return dir;
}
const PROJECT_LABEL = 'com.docker.compose.project';
const SERVICE_LABEL = 'com.docker.compose.service';

/** A free TCP port on 127.0.0.1 (for the published ports of a stack). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

interface InspectJson {
  Id: string;
  Name: string;
  Config: { Labels: Record<string, string> };
  State: { Status: string; ExitCode: number; Health?: { Status: string } };
}

class Stack implements ComposeStack {
  readonly project: string;
  readonly kubeconfig: string;
  readonly apiUrl: string;
  readonly jaegerUrl: string;
  backends?: BackendPorts;
  timings = { engineMs: 0, imagesMs: 0, healthyMs: 0, cachedImages: false };
  private downPromise: Promise<void> | undefined;

  constructor(
    private readonly engine: Engine,
    id: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly outDir: string,
    private readonly firewallBefore: string[],
    private readonly log: (l: string) => void,
    /** The source snapshot compose builds from (its docker-compose.yml is the one used). */
    private readonly srcDir: string,
    /** Compose files after docker-compose.yml (test-only overrides). */
    private readonly extraFiles: string[] = [],
  ) {
    this.project = `keelson-${id}`;
    this.kubeconfig = join(outDir, 'kubeconfig');
    this.apiUrl = `https://127.0.0.1:${env.KEELSON_API_PORT}`;
    this.jaegerUrl = `http://127.0.0.1:${env.KEELSON_JAEGER_UI_PORT}`;
  }

  compose(args: string[], opts: { timeoutMs?: number; onLine?: (l: string) => void } = {}): Promise<ExecResult> {
    const [cmd, ...pre] = this.engine.compose;
    const files = [join(this.srcDir, 'docker-compose.yml'), ...this.extraFiles].flatMap((f) => ['-f', f]);
    return run(cmd, [...pre, ...files, '--project-directory', this.srcDir, '-p', this.project, ...args], { env: this.env, cwd: this.srcDir, ...opts });
  }

  private async mustCompose(args: string[], timeoutMs = 900_000, onLine?: (l: string) => void): Promise<ExecResult> {
    const r = await this.compose(args, { timeoutMs, onLine });
    if (r.code !== 0) throw new CommandError([...this.engine.compose, ...args], r);
    return r;
  }

  private docker(args: string[], timeoutMs = 120_000): Promise<ExecResult> {
    return must('docker', args, { env: this.engine.env, timeoutMs });
  }

  async services(): Promise<string[]> {
    return (await this.mustCompose(['config', '--services'], 60_000)).stdout.split('\n').map((s) => s.trim()).filter(Boolean);
  }

  async ps(): Promise<ServiceState[]> {
    const ids = (await this.docker(['ps', '-aq', '--filter', `label=${PROJECT_LABEL}=${this.project}`])).stdout.split('\n').filter(Boolean);
    if (ids.length === 0) return [];
    const r = await run('docker', ['inspect', ...ids], { env: this.engine.env });
    // A container removed between ps and inspect makes inspect fail: list again next time.
    if (r.code !== 0) return [];
    return (JSON.parse(r.stdout) as InspectJson[]).map((c) => ({
      service: c.Config.Labels[SERVICE_LABEL] ?? c.Name,
      container: c.Name.replace(/^\//, ''),
      status: c.State.Status,
      health: (c.State.Health?.Status ?? 'none') as ServiceState['health'],
      exitCode: c.State.ExitCode,
    })).sort((a, b) => a.service.localeCompare(b.service));
  }

  /** The container of a service (its only replica: every service here runs one). */
  async containerOf(service: string): Promise<string> {
    const r = await this.docker(['ps', '-aq', '--filter', `label=${PROJECT_LABEL}=${this.project}`, '--filter', `label=${SERVICE_LABEL}=${service}`]);
    const id = r.stdout.split('\n').find(Boolean);
    if (!id) throw new Error(`no container for service ${service} in ${this.project}`);
    return id;
  }

  async exec(service: string, argv: string[], opts: { user?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
    const c = await this.containerOf(service);
    return run('docker', ['exec', ...(opts.user ? ['--user', opts.user] : []), c, ...argv], { env: this.engine.env, timeoutMs: opts.timeoutMs ?? 60_000 });
  }

  async kill(service: string, signal = 'SIGKILL'): Promise<void> {
    // `docker kill` counts as a manual stop: the restart policy would then leave the container
    // down. Signalling its main process from the host is a crash, which the policy restarts.
    const c = await this.containerOf(service);
    const pid = Number((await this.docker(['inspect', '--format', '{{.State.Pid}}', c])).stdout.trim());
    if (pid > 0 && process.getuid?.() === 0) {
      process.kill(pid, signal as NodeJS.Signals);
      return;
    }
    await this.docker(['kill', '--signal', signal, c]);
    await this.docker(['start', c]);
  }

  async restart(service: string): Promise<void> {
    await this.docker(['restart', '--time', '10', await this.containerOf(service)]);
  }

  async stop(service: string): Promise<void> {
    await this.docker(['stop', '--time', '10', await this.containerOf(service)]);
  }

  async start(service: string): Promise<void> {
    await this.docker(['start', await this.containerOf(service)]);
  }

  async pause(service: string): Promise<void> {
    await this.docker(['pause', await this.containerOf(service)]);
  }

  async unpause(service: string): Promise<void> {
    await this.docker(['unpause', await this.containerOf(service)]);
  }

  private network(): string {
    return `${this.project}_default`;
  }

  async disconnect(service: string): Promise<void> {
    await this.docker(['network', 'disconnect', '--force', this.network(), await this.containerOf(service)]);
  }

  async connect(service: string): Promise<void> {
    // The service name stays its DNS name on the network (compose sets it as an alias).
    await this.docker(['network', 'connect', '--alias', service, this.network(), await this.containerOf(service)]);
  }

  async waitHealthy(services?: string[], timeoutMs = 600_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const states = await this.ps();
      const wanted = services ? states.filter((s) => services.includes(s.service)) : states;
      const failed = wanted.find((s) => s.status === 'exited' && s.exitCode !== 0 && s.service === 'credentials');
      if (failed) throw new Error(`${failed.service} exited ${failed.exitCode}:\n${await this.logs(failed.service, 40)}`);
      const pending = wanted.filter((s) => !(s.status === 'exited' && s.exitCode === 0 && s.service === 'credentials') &&
        !(s.status === 'running' && (s.health === 'healthy' || s.health === 'none')));
      const missing = (services ?? []).filter((s) => !states.some((x) => x.service === s));
      if (wanted.length > 0 && pending.length === 0 && missing.length === 0) return;
      const summary = [...pending.map((s) => `${s.service}:${s.status}/${s.health}`), ...missing.map((s) => `${s}:absent`)].join(' ');
      if (summary !== last) this.log(`waiting for ${summary || 'containers'}`);
      last = summary;
      if (Date.now() > deadline) {
        const logs = await Promise.all(pending.slice(0, 4).map(async (s) => `--- ${s.service}\n${await this.logs(s.service, 30)}`));
        throw new Error(`not healthy after ${timeoutMs} ms: ${summary}\n${logs.join('\n')}`);
      }
      await sleep(1000);
    }
  }

  async logs(service: string, tail = 100): Promise<string> {
    const r = await run('docker', ['logs', '--tail', String(tail), await this.containerOf(service)], { env: this.engine.env });
    return r.stdout + r.stderr;
  }

  /** Tears the stack down once; every caller (a signal handler, a failure path, the test's end)
   *  waits for that same teardown rather than returning while it is still under way. */
  down(): Promise<void> {
    this.downPromise ??= this.tearDown();
    return this.downPromise;
  }

  private async tearDown(): Promise<void> {
    const problems: string[] = [];
    // Paused containers cannot be stopped: let them go first.
    for (const s of await this.ps().catch(() => [])) if (s.status === 'paused') await this.unpause(s.service).catch(() => undefined);
    const filter = ['--filter', `label=${PROJECT_LABEL}=${this.project}`];
    const docker = (args: string[]) => run('docker', args, { env: this.engine.env });
    // Every name a container of the project had: a stale endpoint is named after a container that
    // no longer exists, so `network inspect` may not list it, but `disconnect -f` by name removes it.
    const names = (await docker(['ps', '-a', '--format', '{{.Names}}', ...filter]).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean);
    const r = await this.compose(['down', '--volumes', '--remove-orphans', '--timeout', '5'], { timeoutMs: 300_000 });
    const leftovers = async () => ({
      containers: (await docker(['ps', '-aq', ...filter])).stdout.trim(),
      volumes: (await docker(['volume', 'ls', '-q', ...filter])).stdout.trim(),
      networks: (await docker(['network', 'ls', '-q', ...filter])).stdout.trim(),
    });
    let left = await leftovers();
    if (r.code !== 0 || Object.values(left).some(Boolean)) {
      // dockerd can still hold an endpoint of a container it just removed (a container killed and
      // restarted seconds before, seen after chaos runs): "network ... has active endpoints", and
      // compose down stops there, before the volumes. The engine releases such an endpoint
      // asynchronously: disconnect by force whatever it lists or the project ever named, remove
      // what is left, and try again for a while before calling it left behind.
      this.log(`compose down left things behind (${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}); removing them`);
      const deadline = Date.now() + 60_000;
      for (let attempt = 1; ; attempt++) {
        for (const id of left.containers.split('\n').filter(Boolean)) await docker(['rm', '-f', '-v', id]);
        for (const net of left.networks.split('\n').filter(Boolean)) {
          const listed = (await docker(['network', 'inspect', '-f', '{{range $id, $c := .Containers}}{{$c.Name}} {{end}}', net])).stdout.trim().split(/\s+/);
          for (const ep of new Set([...listed, ...names].filter(Boolean))) await docker(['network', 'disconnect', '-f', net, ep]);
          await docker(['network', 'rm', net]);
        }
        for (const v of left.volumes.split('\n').filter(Boolean)) await docker(['volume', 'rm', '-f', v]);
        left = await leftovers();
        if (!Object.values(left).some(Boolean) || Date.now() > deadline) break;
        this.log(`still left after attempt ${attempt}: ${Object.entries(left).filter(([, ids]) => ids).map(([w, ids]) => `${w} ${ids.split('\n').join(' ')}`).join('; ')}`);
        await sleep(2000);
      }
    }
    for (const [what, ids] of Object.entries(left)) if (ids) problems.push(`${what} left: ${ids.split('\n').join(' ')}`);
    rmSync(this.outDir, { recursive: true, force: true });
    rmSync(this.srcDir, { recursive: true, force: true });
    await this.engine.stop();
    const chains = (await dockerFirewallChains()).filter((c) => !this.firewallBefore.includes(c));
    if (chains.length > 0) problems.push(`firewall chains left: ${chains.join(', ')}`);
    if (problems.length > 0) throw new Error(`teardown of ${this.project} left things behind:\n${problems.join('\n')}`);
    this.log(`${this.project} removed: no containers, volumes or networks left${this.engine.startedPid ? ', dockerd stopped' : ''}`);
  }

  async bringUp(opts: ComposeUpOptions, baseCached: boolean, started: number): Promise<void> {
    const t1 = Date.now();
    // The project's images: compose build (classic builder, layer cache: only what changed rebuilds;
    // --force-rm: a failed step leaves no intermediate container behind).
    const projectImages = ['keelson/service', 'keelson/kubelet', 'keelson/api-gateway', 'keelson/credentials', 'keelson/haproxy'].map((i) => `${i}:${this.env.KEELSON_TAG}`);
    const present = await Promise.all(projectImages.map((i) => run('docker', ['image', 'inspect', i], { env: this.engine.env }).then((x) => x.code === 0)));
    this.log('building the project images (compose build)');
    await this.mustCompose(['build', '--force-rm', ...(opts.rebuild ? ['--no-cache'] : [])], 1_800_000, (l) => {
      if (/^(Building \S+$|Step \d+\/\d+ : (RUN|FROM))/.test(l)) this.log(`  ${l.slice(0, 120)}`);
    });
    this.timings.imagesMs = Date.now() - t1;
    this.timings.cachedImages = baseCached && present.every(Boolean);
    const t2 = Date.now();
    this.log(`${this.engine.compose.join(' ')} -p ${this.project} up -d`);
    await this.mustCompose(['up', '-d', '--no-build'], 600_000);
    await this.waitHealthy(undefined, opts.healthTimeoutMs ?? 600_000);
    this.timings.healthyMs = Date.now() - t2;
    if (!existsSync(this.kubeconfig)) throw new Error(`no kubeconfig at ${this.kubeconfig}`);
    this.log(`${this.project} healthy in ${(this.timings.healthyMs / 1000).toFixed(1)} s (images ${(this.timings.imagesMs / 1000).toFixed(1)} s, total ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
}

/** Starts (or finds) the engine, prepares images, brings the stack up and waits until it is healthy. */
export async function up(opts: ComposeUpOptions = {}): Promise<ComposeStack> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`[compose] ${l}\n`));
  const started = Date.now();
  const firewallBefore = await dockerFirewallChains();
  const engine = await ensureEngine(log);
  const engineMs = Date.now() - started;
  let stack: Stack | undefined;
  // Interrupted while coming up (Ctrl-C, a CI timeout): take down what exists, then exit. Once up()
  // returns, the caller owns the stack and its teardown.
  const interrupted = (sig: NodeJS.Signals): void => {
    log(`${sig} while bringing the stack up: tearing it down`);
    void (stack ? stack.down() : engine.stop()).catch((e: unknown) => log(`teardown: ${String(e)}`)).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const base = await baseImages(engine, log);
    const id = opts.id ?? randomBytes(4).toString('hex');
    const outDir = mkdtempSync(join(tmpdir(), `keelson-compose-${id}-`));
    const env: NodeJS.ProcessEnv = {
      ...engine.env,
      KEELSON_TAG: 'dev',
      // A loaded machine (20+ containers starting on 2 cores) answers docker's API slowly.
      COMPOSE_HTTP_TIMEOUT: '600',
      DOCKER_CLIENT_TIMEOUT: '600',
      KEELSON_BUILD_NETWORK: 'host',
      KEELSON_API_PORT: String(await freePort()),
      KEELSON_JAEGER_UI_PORT: String(await freePort()),
      KEELSON_OTLP_PORT: String(await freePort()),
      KEELSON_COMPOSE_DIR: outDir,
      ...base.env,
      ...(opts.env ?? {}),
    };
    let backends: BackendPorts | undefined;
    if (opts.exposeBackends) {
      backends = { etcd: [], nats: [] };
      for (const i of [1, 2, 3]) {
        env[`KEELSON_ETCD_${i}_PORT`] = String(await freePort());
        env[`KEELSON_NATS_${i}_PORT`] = String(await freePort());
        backends.etcd.push(`https://127.0.0.1:${env[`KEELSON_ETCD_${i}_PORT`]}`);
        backends.nats.push(`tls://127.0.0.1:${env[`KEELSON_NATS_${i}_PORT`]}`);
      }
    }
    const src = await snapshotSources();
    const extra = backends ? [join(src, 'infra', 'compose', 'backends.yml')] : [];
    if (opts.containerNodes) {
      // The engine's socket as the containers see it from the host, and the group that may use it.
      const socket = (engine.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');
      env.KEELSON_DOCKER_SOCKET = socket;
      env.KEELSON_DOCKER_GID = String(statSync(socket).gid);
      extra.push(join(src, 'infra', 'compose', 'container-nodes.yml'));
    }
    stack = new Stack(engine, id, env, outDir, firewallBefore, log, src, extra);
    stack.backends = backends;
    stack.timings.engineMs = engineMs;
    await stack.bringUp(opts, base.cached, started);
    return stack;
  } catch (err) {
    if (process.env.KEELSON_COMPOSE_KEEP_FAILED === '1') {
      log('KEELSON_COMPOSE_KEEP_FAILED=1: leaving the failed stack up');
      throw err;
    }
    await (stack ? stack.down() : engine.stop()).catch((e: unknown) => log(`teardown after failure: ${e instanceof Error ? e.message : String(e)}`));
    throw err;
  } finally {
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
  }
}
