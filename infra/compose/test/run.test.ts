import { run, must, CommandError } from '../src/run';

describe('run', () => {
  it('returns the exit code of a child that exits without reading its stdin, instead of crashing on EPIPE', async () => {
    // 8 MiB is far more than a pipe buffers, so the write is still pending when `false` exits.
    const r = await run('sh', ['-c', 'exit 3'], { input: Buffer.alloc(8 << 20, 120) });
    expect(r.code).toBe(3);
  });

  it('feeds input to a child that reads it', async () => {
    const r = await run('wc', ['-c'], { input: Buffer.alloc(1 << 20, 120) });
    expect(r.stdout.trim()).toBe(String(1 << 20));
  });

  it('must throws a CommandError naming the command and its stderr', async () => {
    await expect(must('sh', ['-c', 'echo boom >&2; exit 2'])).rejects.toThrow(CommandError);
    await expect(must('sh', ['-c', 'echo boom >&2; exit 2'])).rejects.toThrow(/sh -c .* exited 2: boom/);
  });
});
