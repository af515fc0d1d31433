// The host commands the pod network drives (iproute2, iptables), run without a shell.
import { execFile, spawn } from 'node:child_process';

export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(readonly command: string, readonly code: number | string | null, readonly stderr: string) {
    super(`${command}: ${stderr.trim() || `exit ${String(code)}`}`);
  }
}

/** Runs `cmd args`; `input` goes to its stdin (for `ip -batch -`). Rejects with the command's stderr. */
export function run(cmd: string, args: string[], input?: string, timeoutMs = 30_000): Promise<string> {
  const label = `${cmd} ${args.join(' ')}`;
  if (input === undefined) {
    return new Promise((done, fail) => {
      execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err) fail(new CommandError(label, (err as NodeJS.ErrnoException).code ?? null, String(stderr) || err.message));
        else done(String(stdout));
      });
    });
  }
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', (e) => fail(new CommandError(label, (e as NodeJS.ErrnoException).code ?? null, e.message)));
    child.once('close', (code) => (code === 0 ? done(out) : fail(new CommandError(`${label} <<${input.trim().split('\n').join('; ')}`, code, err))));
    child.stdin.end(input);
  });
}

/** Like run, but true/false instead of a rejection (probes and `iptables -C`). */
export function succeeds(cmd: string, args: string[]): Promise<boolean> {
  return run(cmd, args).then(() => true, () => false);
}
