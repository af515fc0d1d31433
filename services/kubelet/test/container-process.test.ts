// What a probe or `kubectl exec` runs as (streaming/container-process.ts): the container's command,
// never one of the steps that start it. A start execs from step to step in one pid (the start
// shell, setpriv dropping to the container's user, the environment step, the command); a look at
// the process in between used to pair the shell's name with setpriv's arguments, and a probe ran
// as root with the kubelet's environment (e2e/test/pod-exec-probes.test.ts saw its first run
// leave a root-owned file the container's user could not append to). Needs root (setpriv), as CI has.
import { spawn } from 'node:child_process';
import { containerProcess } from '../src/streaming/container-process';
import { envFromFdArgv, sendEnv, WRAPPER_ENV } from '../src/runtime/sandbox/exec-helper';

const CONTAINER_ENV = { PATH: '/usr/bin:/bin', ROLE: 'the-container', 'my.setting': '1' };

/** The runtime's chain, minus the namespaces: a start shell, the privilege drop, the environment step, the command. */
function startContainer(): ReturnType<typeof spawn> {
  const argv = envFromFdArgv(['sleep', '30'])!;
  const child = spawn('/bin/bash', ['-c', 'exec setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"', 'keelson-container', ...argv], {
    env: { ...WRAPPER_ENV },
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
  });
  sendEnv(child, CONTAINER_ENV);
  return child;
}

test('looked at as often as possible while it starts, a container is either not running yet or its command: its user, its environment', async () => {
  const seen: { uid: number; role?: string; setting?: string }[] = [];
  for (let i = 0; i < 80; i++) {
    const child = startContainer();
    try {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const p = await containerProcess(child.pid!);
        if (p) {
          seen.push({ uid: p.uid, role: p.env.ROLE, setting: p.env['my.setting'] });
          break;
        }
        if (Date.now() > deadline) throw new Error('the container never became its command');
      }
    } finally {
      child.kill('SIGKILL');
    }
  }
  expect(seen).toHaveLength(80);
  // Every look found the container's command, none a start step running as root on the kubelet's environment.
  expect(seen.filter((s) => s.uid !== 65534 || s.role !== 'the-container' || s.setting !== '1')).toEqual([]);
}, 120_000); // 80 starts: a few seconds alone, much longer on a loaded CI machine
