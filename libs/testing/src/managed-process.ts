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
// On SIGTERM/SIGINT/SIGHUP do the same, then re-raise the signal unless the
// process has its own handler (which then decides how to exit).
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAll();
      if (process.listenerCount(sig) === 1) {
        process.removeListener(sig, onSignal);
        process.kill(process.pid, sig);
      }
    };
    process.on(sig, onSignal);
  }
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
