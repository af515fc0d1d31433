// Probes (kubelet's prober): exec, httpGet and tcpSocket checks, and a worker per
// container and probe kind that applies initialDelay, period, timeout and the
// success/failure thresholds before a result changes.
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Container, LifecycleHandler, Probe } from './types';
import type { Launch } from './streaming/container-process';

/**
 * How to run an exec probe's command in its container: `kubectl exec`'s way (launchInContainer in
 * streaming/container-process.ts: the container's cgroups, namespaces, user, working directory and
 * environment), undefined when the container is not running.
 */
export type ExecLauncher = (command: string[]) => Promise<Launch | undefined>;

export type ProbeKind = 'readiness' | 'liveness' | 'startup';
export type ProbeResult = 'success' | 'failure';

export interface ProbeOutcome {
  result: ProbeResult;
  /** Why it failed, in kube's words (`HTTP probe failed with statuscode: 500`). */
  message: string;
}

/**
 * Runs a lifecycle hook's action once (kube's handler runner): exec in the container, an HTTP GET
 * (any answer below 400 is success), or a sleep; each bounded by `timeoutMs`. tcpSocket is
 * accepted by the API and skipped, as kube does.
 */
export async function runHook(h: LifecycleHandler, container: Container, podIP: string, launcher: ExecLauncher, timeoutMs: number): Promise<ProbeOutcome> {
  if (h.sleep) {
    await new Promise((r) => setTimeout(r, Math.min(Math.max(0, h.sleep!.seconds) * 1000, timeoutMs)));
    return { result: 'success', message: '' };
  }
  return (await runAction({ exec: h.exec, httpGet: h.httpGet }, container, podIP, launcher, timeoutMs)) ?? { result: 'success', message: '' };
}

/** Runs one probe once. */
export async function runProbe(probe: Probe, container: Container, podIP: string, launcher: ExecLauncher): Promise<ProbeOutcome> {
  return (await runAction(probe, container, podIP, launcher, Math.max(1, probe.timeoutSeconds ?? 1) * 1000)) ?? { result: 'failure', message: 'probe has no handler (exec, httpGet or tcpSocket)' };
}

/** The exec, httpGet or tcpSocket action of a probe or hook; undefined without one; an error is a failure. */
async function runAction(h: Pick<Probe, 'exec' | 'httpGet' | 'tcpSocket'>, container: Container, podIP: string, launcher: ExecLauncher, timeoutMs: number): Promise<ProbeOutcome | undefined> {
  try {
    if (h.exec) return await execProbe(h.exec.command ?? [], timeoutMs, launcher);
    if (h.httpGet) {
      const port = resolvePort(h.httpGet.port, container);
      return await httpProbe(h.httpGet.scheme === 'HTTPS', h.httpGet.host || podIP, port, h.httpGet.path || '/', h.httpGet.httpHeaders ?? [], timeoutMs);
    }
    if (h.tcpSocket) return await tcpProbe(h.tcpSocket.host || podIP, resolvePort(h.tcpSocket.port, container), timeoutMs);
    return undefined;
  } catch (err) {
    return { result: 'failure', message: (err as Error).message };
  }
}

function resolvePort(port: number | string, c: Container): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const found = c.ports?.find((p) => p.name === port);
  if (!found) throw new Error(`couldn't find port ${JSON.stringify(port)} in container ${c.name}`);
  return found.containerPort;
}

const PROBE_OUTPUT_BYTES = 10 * 1024;

/**
 * The launch of `cmd` in its container, waiting (within the probe's time) for a container still on
 * its way to its command: the runtime reports a container started once its first start step runs,
 * and kube probes a container only once its command runs, so a probe that comes too early waits
 * rather than fails (a liveness probe with failureThreshold 1 would otherwise restart it).
 */
async function launchWithin(cmd: string[], deadline: number, launcher: ExecLauncher): Promise<Launch | undefined> {
  for (let pause = 20; ; pause = Math.min(pause * 2, 250)) {
    const launch = await launcher(cmd);
    if (launch || Date.now() + pause >= deadline) return launch;
    await new Promise((r) => setTimeout(r, pause));
  }
}

async function execProbe(cmd: string[], timeoutMs: number, launcher: ExecLauncher): Promise<ProbeOutcome> {
  if (!cmd.length) return { result: 'failure', message: 'exec probe has no command' };
  const deadline = Date.now() + timeoutMs;
  const launch = await launchWithin(cmd, deadline, launcher);
  if (!launch) return { result: 'failure', message: 'container is not running' };
  return new Promise((done) => {
    const child = spawn(launch.argv[0], launch.argv.slice(1), {
      cwd: launch.cwd,
      env: launch.env,
      ...(launch.uid !== undefined ? { uid: launch.uid, gid: launch.gid } : {}),
      // Its own process group: a timeout kills the command and whatever it started.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const keep = (b: Buffer): void => {
      if (out.length < PROBE_OUTPUT_BYTES) out += b.toString('utf8').slice(0, PROBE_OUTPUT_BYTES - out.length);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    // Settled once: a process that left its group (its own session) may hold the output open
    // long after the command ended or was killed, so neither waits for the pipes to close.
    let settled = false;
    let exitGrace: NodeJS.Timeout | undefined;
    const finish = (o: ProbeOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(exitGrace);
      child.stdout!.destroy();
      child.stderr!.destroy();
      done(o);
    };
    const judge = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (code === 0) return finish({ result: 'success', message: '' });
      finish({ result: 'failure', message: out.trim() || `command ${JSON.stringify(cmd.join(' '))} exited with ${code ?? signal}` });
    };
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      finish({ result: 'failure', message: `command ${JSON.stringify(cmd.join(' '))} timed out` });
    }, Math.max(1, deadline - Date.now()));
    child.once('error', (err) => finish({ result: 'failure', message: err.message }));
    // Its output is complete when the pipes close; after it exited, not much later than that.
    child.once('close', judge);
    child.once('exit', (code, signal) => {
      exitGrace = setTimeout(() => judge(code, signal), 200);
    });
  });
}

function httpProbe(tls: boolean, host: string, port: number, path: string, headers: { name: string; value: string }[], timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((done) => {
    const h: Record<string, string> = { 'User-Agent': 'kube-probe/1.32' };
    for (const x of headers) h[x.name] = x.value;
    const req = (tls ? httpsRequest : httpRequest)({ host, port, path, method: 'GET', headers: h, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      done(code >= 200 && code < 400 ? { result: 'success', message: '' } : { result: 'failure', message: `HTTP probe failed with statuscode: ${code}` });
    });
    req.on('timeout', () => req.destroy(new Error(`Get "http://${host}:${port}${path}": context deadline exceeded`)));
    req.on('error', (err) => done({ result: 'failure', message: `Get "http://${host}:${port}${path}": ${err.message}` }));
    req.end();
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((done) => {
    const s = connect({ host, port, timeout: timeoutMs });
    s.once('connect', () => {
      s.destroy();
      done({ result: 'success', message: '' });
    });
    s.once('timeout', () => {
      s.destroy();
      done({ result: 'failure', message: `dial tcp ${host}:${port}: i/o timeout` });
    });
    s.once('error', (err) => done({ result: 'failure', message: `dial tcp ${host}:${port}: ${err.message}` }));
  });
}

/**
 * Kubernetes' starting results: not ready until proven, alive until proven dead, and a startup
 * probe's unknown (so its first failureThreshold consecutive failures are a change: the container is
 * killed and restarted, as kube's prober worker does; starting it as failed made a startup probe
 * that never passes keep the container forever).
 */
export function initialResult(kind: ProbeKind): ProbeResult | 'unknown' {
  return kind === 'liveness' ? 'success' : kind === 'readiness' ? 'failure' : 'unknown';
}

/** Applies the thresholds: a result changes only after enough consecutive outcomes. */
export class ProbeState {
  private last?: ProbeResult;
  private run = 0;
  result: ProbeResult | 'unknown';

  constructor(private readonly kind: ProbeKind, private readonly probe: Probe) {
    this.result = initialResult(kind);
  }

  /** Records one outcome; true when the thresholded result changed (then `result` is `r`). */
  observe(r: ProbeResult): boolean {
    this.run = r === this.last ? this.run + 1 : 1;
    this.last = r;
    const successThreshold = this.kind === 'readiness' ? Math.max(1, this.probe.successThreshold ?? 1) : 1;
    const failureThreshold = Math.max(1, this.probe.failureThreshold ?? 3);
    if ((r === 'failure' && this.run < failureThreshold) || (r === 'success' && this.run < successThreshold)) return false;
    const changed = r !== this.result;
    this.result = r;
    return changed;
  }
}

/** Probes one container on its period until stopped; reports thresholded changes. */
export class ProbeWorker {
  readonly state: ProbeState;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  lastMessage = '';

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: Probe,
    private readonly run: () => Promise<ProbeOutcome>,
    private readonly onChange: (result: ProbeResult, message: string) => void,
  ) {
    this.state = new ProbeState(kind, probe);
  }

  start(): void {
    this.schedule(Math.max(0, this.probe.initialDelaySeconds ?? 0) * 1000);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    const out = await this.run();
    if (this.stopped) return;
    this.lastMessage = out.message;
    if (this.state.observe(out.result)) this.onChange(out.result, out.message);
    this.schedule(Math.max(1, this.probe.periodSeconds ?? 10) * 1000);
  }
}
