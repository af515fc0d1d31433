// Runs child processes for the local cluster: tagged output, restart with exponential back-off,
// and ordered, bounded shutdown (SIGTERM, then SIGKILL).
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export interface BackoffPolicy {
  /** First restart delay (1 s). */
  initialMs: number;
  /** Ceiling for the doubling delay (30 s). */
  maxMs: number;
  /** A process that ran this long before exiting counts as healthy: the delay resets (60 s). */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 };

/**
 * The delay before the next restart and the delay to use after that.
 * `current` is the delay the next crash would wait if the process had not run long enough to reset.
 */
export function nextBackoff(current: number, uptimeMs: number, policy: BackoffPolicy): { delayMs: number; next: number } {
  const delayMs = uptimeMs >= policy.resetAfterMs ? policy.initialMs : current;
  return { delayMs, next: Math.min(delayMs * 2, policy.maxMs) };
}

export interface ProcessSpec {
  name: string;
  command: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  backoff?: BackoffPolicy;
  /** Grace period between SIGTERM and SIGKILL on stop (10 s). */
  stopTimeoutMs?: number;
  /** Where tagged output goes (default process.stdout). */
  out?: Writable;
  /** Tag width, so the columns of several processes line up. */
  tagWidth?: number;
  color?: boolean;
}

const COLORS = [36, 32, 35, 33, 34, 91, 92, 95, 96, 93];
let colorIndex = 0;

/** Prefixes every line of `stream` with `tag` and writes it to `out`. */
export function pipeTagged(stream: Readable, tag: string, out: Writable): void {
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  rl.on('line', (line) => out.write(`${tag} ${line}\n`));
}

export function formatTag(name: string, width: number, color: number | undefined): string {
  const text = `[${name}]`.padEnd(width + 2);
  return color === undefined ? text : `\x1b[${color}m${text}\x1b[0m`;
}

export type ProcessEvent =
  | { type: 'spawn'; pid: number }
  | { type: 'exit'; code: number | null; signal: NodeJS.Signals | null; uptimeMs: number }
  | { type: 'restart-scheduled'; delayMs: number };

/**
 * One supervised process. `start()` spawns it; any exit not caused by `stop()` schedules a restart.
 * Emits 'event' with a ProcessEvent for tests and the status line.
 */
export class ManagedProcess extends EventEmitter {
  readonly name: string;
  private child: ChildProcess | undefined;
  private startedAt = 0;
  private backoffMs: number;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();
  private readonly policy: BackoffPolicy;
  private readonly tag: string;
  restarts = 0;

  constructor(private readonly spec: ProcessSpec) {
    super();
    this.name = spec.name;
    this.policy = spec.backoff ?? DEFAULT_BACKOFF;
    this.backoffMs = this.policy.initialMs;
    const useColor = spec.color ?? Boolean((spec.out ?? process.stdout) === process.stdout && process.stdout.isTTY);
    this.tag = formatTag(spec.name, spec.tagWidth ?? spec.name.length, useColor ? COLORS[colorIndex++ % COLORS.length] : undefined);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Writes a supervisor note under this process's tag. */
  note(msg: string): void {
    (this.spec.out ?? process.stdout).write(`${this.tag} ${msg}\n`);
  }

  start(): void {
    this.stopping = false;
    this.spawnChild();
  }

  private spawnChild(): void {
    const out = this.spec.out ?? process.stdout;
    // Own process group: a terminal Ctrl-C reaches only the supervisor, which then stops
    // children in order instead of everything dying at once.
    const child = spawn(this.spec.command, this.spec.args ?? [], {
      cwd: this.spec.cwd,
      env: this.spec.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    this.startedAt = Date.now();
    if (child.stdout) pipeTagged(child.stdout, this.tag, out);
    if (child.stderr) pipeTagged(child.stderr, this.tag, out);
    this.exited = new Promise((resolve) => {
      child.once('error', (err) => {
        // Spawn failure (e.g. binary missing) arrives here instead of 'exit'.
        this.note(`failed to start: ${err.message}`);
        this.onExit(child, null, null);
        resolve();
      });
      child.once('exit', (code, signal) => {
        this.onExit(child, code, signal);
        resolve();
      });
    });
    if (child.pid !== undefined) this.emit('event', { type: 'spawn', pid: child.pid } satisfies ProcessEvent);
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    const uptimeMs = Date.now() - this.startedAt;
    this.emit('event', { type: 'exit', code, signal, uptimeMs } satisfies ProcessEvent);
    if (this.stopping) return;
    const { delayMs, next } = nextBackoff(this.backoffMs, uptimeMs, this.policy);
    this.backoffMs = next;
    this.note(`exited (${signal ?? `code ${code}`}) after ${(uptimeMs / 1000).toFixed(1)}s; restarting in ${(delayMs / 1000).toFixed(1)}s`);
    this.emit('event', { type: 'restart-scheduled', delayMs } satisfies ProcessEvent);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.restarts++;
      this.spawnChild();
    }, delayMs);
  }

  /** Stops the process (and its process group): SIGTERM, then SIGKILL after the grace period. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    if (!this.running) return;
    this.signal('SIGTERM');
    const grace = this.spec.stopTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.note(`did not stop within ${grace / 1000}s; sending SIGKILL`);
        this.signal('SIGKILL');
        resolve();
      }, grace);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    await this.exited;
  }

  /** Last resort on supervisor exit: kill synchronously, no waiting. */
  killNow(): void {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.running) this.signal('SIGKILL');
  }

  private signal(sig: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, sig); // the whole group: a service's own children go too
    } catch {
      try { process.kill(pid, sig); } catch { /* already gone */ }
    }
  }
}
