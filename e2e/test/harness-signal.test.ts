// Ctrl-C of a bench or a test run (SIGINT to the process that started a control plane with the
// harness): the control plane stops as at the end of a test — services with SIGTERM, so the
// kubelet stops its pods — and the process then ends by that signal. It used to SIGKILL only
// etcd and NATS and stay up, with the gateway, the kubelet and every pod process still running.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processCmdline } from '@keelson/testing';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..');

/** Live processes whose command line or environment mentions `text` (the services' environments name the cluster's directory). */
const processesMentioning = (text: string): string[] =>
  readdirSync('/proc').filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid).flatMap((d) => {
    const cmd = processCmdline(Number(d));
    if (cmd === undefined) return [];
    let environ = '';
    try {
      environ = readFileSync(`/proc/${d}/environ`, 'utf8');
    } catch { /* gone meanwhile */ }
    return cmd.includes(text) || environ.includes(text) ? [`${d} ${cmd.slice(0, 160)}`] : [];
  });

// A stand-in for a bench: starts a control plane with a process kubelet, runs a pod, waits.
const SCRIPT = `
const { startControlPlane, until } = require('@keelson/testing');
const { join } = require('node:path');
(async () => {
  const cp = await startControlPlane({ nats: true, services: ['kubelet'], nodes: ['sig-node'] });
  await cp.startService('kubelet', { instance: 'sig-node', env: { NODE_NAME: 'sig-node', KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet'), KEELSON_LEADER_ELECT: 'false' } });
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sleeper' }, spec: { nodeName: 'sig-node', terminationGracePeriodSeconds: 2, automountServiceAccountToken: false, containers: [{ name: 'main', image: 'sleep', command: ['/bin/sleep', '3600'] }] } };
  const r = await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) });
  if (r.code !== 0) throw new Error(r.stderr);
  const uid = await until('sleeper Running', async () => {
    const p = JSON.parse(await cp.k('get', 'pod', 'sleeper', '-o', 'json'));
    return p.status?.phase === 'Running' && p.metadata.uid;
  }, 90000);
  console.log('READY ' + JSON.stringify({ dir: cp.dir, uid }));
  setInterval(() => undefined, 1 << 30);
})().catch((err) => { console.error(err); process.exit(3); });
`;

test('SIGINT to a process running a harness control plane stops its services and pods, then ends the process', async () => {
  const child = spawn(process.execPath, ['-e', SCRIPT], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const ready = await new Promise<{ dir: string; uid: string }>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /^READY (.*)$/m.exec(out);
      if (m) {
        clearInterval(timer);
        resolve(JSON.parse(m[1]) as { dir: string; uid: string });
      }
    }, 100);
    void exited.then(() => { clearInterval(timer); reject(new Error(`the script exited before its pod ran:\n${out}`)); });
  });
  // Running now: the services (their environment names the cluster's directory) and the pod.
  expect(processesMentioning(ready.dir).length).toBeGreaterThan(0);
  expect(processesMentioning(ready.uid).length).toBeGreaterThan(0);

  child.kill('SIGINT');
  const end = await exited;
  expect(end).toEqual({ code: null, signal: 'SIGINT' });
  expect(processesMentioning(ready.uid)).toEqual([]);
  expect(processesMentioning(ready.dir)).toEqual([]);
});
