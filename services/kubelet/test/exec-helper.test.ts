// The container's environment past shell wrappers (runtime/sandbox/exec-helper.ts): names no shell
// can hold (kube allows `my.setting`) arrive intact, and the wrappers never see the pod's variables.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envFromFdArgv, joinCgroupsArgv, sendEnv, WRAPPER_ENV } from '../src/runtime/sandbox/exec-helper';

function run(argv: string[], env: Record<string, string>, handOff?: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe', ...(handOff ? (['pipe'] as const) : [])] });
    if (handOff) sendEnv(child, handOff);
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    child.once('close', (code) => done({ code, out }));
  });
}

const containerEnv = { 'my.setting': '1', 'CFG_app.conf': 'color=blue\nsize=2', PATH: '/usr/bin:/bin', BASH_ENV: '/nonexistent', EMPTY: '' };

test('a /bin/sh wrapper between the kubelet and the command loses names with dots; the hand-off keeps them', async () => {
  // What the runtime did before: the environment through dash.
  const viaShell = await run(['/bin/sh', '-c', 'exec "$@"', 'wrapper', 'env'], containerEnv);
  expect(viaShell.out).not.toContain('my.setting=1');
  const argv = envFromFdArgv(['env', '-0'])!;
  const handed = await run(['/bin/sh', '-c', 'exec "$@"', 'wrapper', ...argv], { ...WRAPPER_ENV }, containerEnv);
  expect(handed.code).toBe(0);
  const vars = handed.out.split('\0').filter(Boolean).sort();
  expect(vars).toEqual(['BASH_ENV=/nonexistent', 'CFG_app.conf=color=blue\nsize=2', 'EMPTY=', 'PATH=/usr/bin:/bin', 'my.setting=1'].sort());
});

test('the wrappers run on their own environment; the command is looked up in the container PATH, and descriptor 3 is closed for it', async () => {
  const argv = envFromFdArgv(['sh', '-c', 'echo "wrapper-path-was=$WRAPPER_SAW"; [ -e /proc/self/fd/3 ] && echo fd3-open || echo fd3-closed'])!;
  const r = await run(['/bin/sh', '-c', 'WRAPPER_SAW="$PATH|${my_secret:-none}"; export WRAPPER_SAW; exec "$@"', 'wrapper', ...argv], { ...WRAPPER_ENV }, { PATH: '/usr/bin:/bin', my_secret: 's3cr3t' });
  // The container does not get the wrapper's variables, only its own.
  expect(r.out).toBe('wrapper-path-was=\nfd3-closed\n');
  const missing = await run(envFromFdArgv(['no-such-command-xyz'])!, { ...WRAPPER_ENV }, { PATH: '/usr/bin:/bin' });
  expect(missing.code).toBe(127);
  expect(missing.out).toContain('keelson: exec no-such-command-xyz: No such file or directory');
});

test('joinCgroupsArgv writes the process\'s own pid into each file, then execs with the environment untouched', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-join-'));
  const files = [join(dir, 'a'), join(dir, 'b')];
  for (const f of files) writeFileSync(f, '');
  const r = await run(joinCgroupsArgv(files, ['sh', '-c', 'echo "$$ ${X}"']), { PATH: '/usr/bin:/bin', X: 'kept' });
  const [pid, x] = r.out.trim().split(' ');
  expect(x).toBe('kept');
  for (const f of files) expect(readFileSync(f, 'utf8')).toBe(`${pid}\n`);
  const refused = await run(joinCgroupsArgv([join(dir, 'missing', 'cgroup.procs')], ['true']), { PATH: '/usr/bin:/bin' });
  expect(refused.code).not.toBe(0);
  expect(refused.out).toContain('cannot join cgroup');
});
