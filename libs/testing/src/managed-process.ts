// A child server process that dies with the test process and keeps its stderr
// tail for error messages.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let hooked = false;

function killAll(): void {
  for (const c of live) c.kill('SIGKILL');
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
}

// Jest workers exit through process.exit; SIGKILL every child we still own then.
// On SIGINT/SIGHUP (Ctrl-C of a bench or a test run) the graceful clean-ups run first
// (a control plane stops its services with SIGTERM, so a kubelet stops its pods and removes
// their namespaces instead of leaving them to nobody), bounded; then the same SIGKILL, and the
// signal is raised again.
const cleanups = new Set<() => Promise<void>>();
// Ctrl-C and a closed terminal wait for the clean-ups; SIGTERM only starts them (services get
// their SIGTERM) before the SIGKILLs: jest-worker and `timeout` follow SIGTERM with SIGKILL
// within a second, after which etcd and NATS would be left to nobody.
const CLEANUP_TIMEOUT_MS: Record<'SIGTERM' | 'SIGINT' | 'SIGHUP', number> = { SIGINT: 30_000, SIGHUP: 30_000, SIGTERM: 300 };

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  let stopping = false;
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      if (stopping) return;
      stopping = true;
      const graceful = Promise.allSettled([...cleanups].map((fn) => fn()));
      void Promise.race([graceful, new Promise((r) => setTimeout(r, CLEANUP_TIMEOUT_MS[sig]).unref())]).then(() => {
        killAll();
        // Raised again for the remaining listeners: signal-exit's (a dependency's) re-raises it
        // once it is the last one, which ends the process; a handler of the process's own
        // decides, as it would have without us.
        process.removeListener(sig, onSignal);
        process.kill(process.pid, sig);
      });
    };
    process.on(sig, onSignal);
  }
}

/** Runs `fn` (bounded) when this process is told to stop by a signal; returns the unregister function. */
export function cleanUpOnSignal(fn: () => Promise<void>): () => void {
  hookExit();
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** Removes `dir` when the test process exits (unless removed earlier). */
export function removeOnExit(dir: string): void {
  hookExit();
  tempDirs.add(dir);
}

export function removeNow(dir: string): void {
  tempDirs.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

/** Finds `name` at one of `preferred` paths or on PATH. */
export function findBinary(name: string, preferred: string[]): string | undefined {
  for (const p of preferred) if (existsSync(p)) return p;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

export class ManagedProcess {
  private readonly child: ChildProcess;
  private tail = '';
  private exitCode: number | null | undefined;
  private readonly exitPromise: Promise<void>;

  constructor(readonly binary: string, readonly args: string[]) {
    hookExit();
    this.child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    live.add(this.child);
    this.child.stderr?.on('data', (b: Buffer) => {
      this.tail = (this.tail + b.toString()).slice(-4000);
    });
    this.exitPromise = new Promise((resolve) => {
      const done = (code: number | null): void => {
        this.exitCode = code;
        live.delete(this.child);
        resolve();
      };
      this.child.once('exit', done);
      this.child.once('error', (e) => {
        this.tail += `\nspawn failed: ${e.message}`;
        done(-1);
      });
    });
  }

  get exited(): boolean {
    return this.exitCode !== undefined;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Last stderr output, for error messages. */
  stderr(): string {
    return this.tail.trim();
  }

  /** SIGTERM, then SIGKILL if still alive after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exitPromise;
    clearTimeout(timer);
  }

  async kill(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGKILL');
    await this.exitPromise;
  }
}
