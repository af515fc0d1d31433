// One Keelson service as a child process (gateway replica, controller, kubelet): start it,
// wait until it answers its readiness probe, kill it, read its recent log.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface ServiceProcess {
  readonly name: string;
  /** Starts it and waits for `ready()`; throws with the log tail if it exits or times out. */
  start(): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** The last ~20 KB of stdout and stderr. */
  log(): string;
  /** While it runs. */
  pid(): number | undefined;
}

export interface ServiceProcessSpec {
  name: string;
  main: string;
  nodeArgs?: string[];
  env: NodeJS.ProcessEnv;
  /** Resolves true once the service is ready. */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
}

export function serviceProcess(spec: ServiceProcessSpec): ServiceProcess {
  let child: ChildProcess | undefined;
  let log = '';
  const running = (c: ChildProcess | undefined): c is ChildProcess => !!c && c.exitCode === null && c.signalCode === null;
  return {
    name: spec.name,
    async start() {
      log = '';
      const c = spawn(process.execPath, [...(spec.nodeArgs ?? []), spec.main], { env: spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      // KEELSON_SERVICE_LOG_DIR: every line also goes to <dir>/<name>.log (e.g. a bench's
      // gateway run with --trace-gc, whose output outgrows the tail kept here).
      const dir = process.env.KEELSON_SERVICE_LOG_DIR;
      if (dir) mkdirSync(dir, { recursive: true });
      // One file per instance: `kubelet/node-1` is kubelet-node-1.log.
      const file = dir ? join(dir, `${spec.name.replace(/[/\\]/g, '-')}.log`) : undefined;
      const keep = (b: Buffer): void => {
        log = (log + b.toString()).slice(-20_000);
        if (file) appendFileSync(file, b);
      };
      c.stdout!.on('data', keep);
      c.stderr!.on('data', keep);
      // Generous: a node process loading the OpenTelemetry SDK takes 10 s+ to start on a loaded
      // 2-core machine; this only bounds a service that never comes up.
      const deadline = Date.now() + (spec.readyTimeoutMs ?? 90_000);
      for (;;) {
        if (!running(c)) throw new Error(`${spec.name} exited (${String(child?.exitCode ?? child?.signalCode)}):\n${log}`);
        if (await spec.ready().catch(() => false)) return;
        if (Date.now() > deadline) throw new Error(`${spec.name} did not become ready:\n${log}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      const c = child;
      if (!running(c)) return;
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill(signal);
      await exited;
    },
    log: () => log,
    pid: () => (running(child) ? child.pid : undefined),
  };
}
