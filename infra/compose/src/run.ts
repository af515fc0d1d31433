// Child processes for the driver: run to completion and collect output (no shell, argv only).
import { spawn } from 'node:child_process';
import type { ExecResult } from './types';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string | Buffer;
  timeoutMs?: number;
  /** Streams output lines here as they come (long builds). */
  onLine?: (line: string) => void;
}

export class CommandError extends Error {
  constructor(readonly argv: string[], readonly result: ExecResult) {
    super(`${argv.join(' ')} exited ${result.code}: ${(result.stderr || result.stdout).trim().split('\n').slice(-15).join('\n')}`);
    this.name = 'CommandError';
  }
}

export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const onData = (chunk: Buffer, which: 'out' | 'err'): void => {
      const text = chunk.toString('utf8');
      if (which === 'out') stdout += text;
      else stderr += text;
      if (opts.onLine) {
        partial += text;
        const lines = partial.split('\n');
        partial = lines.pop() ?? '';
        lines.forEach((l) => opts.onLine?.(l));
      }
    };
    child.stdout.on('data', (c: Buffer) => onData(c, 'out'));
    child.stderr.on('data', (c: Buffer) => onData(c, 'err'));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    // A child that exits without reading its stdin (docker info against a daemon still starting)
    // makes the write fail with EPIPE; its exit code is the answer, so that error is not one.
    child.stdin.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') reject(err);
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs and throws CommandError unless it exits 0. */
export async function must(cmd: string, args: string[], opts: RunOptions = {}): Promise<ExecResult> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new CommandError([cmd, ...args], r);
  return r;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
