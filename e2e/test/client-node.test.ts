// @kubernetes/client-node against Keelson: CRUD, and an informer that lists, watches and
// recovers after the gateway restarts and after a 410 Gone.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Etcd3 } from 'etcd3';
import { startControlPlane as startCluster, type ControlPlane as TestCluster } from '@keelson/testing';

jest.setTimeout(90_000);

let c: TestCluster;
let runner: ChildProcessWithoutNullStreams;
const lines: Record<string, any>[] = [];

beforeAll(async () => {
  c = await startCluster();
  await c.k('create', 'namespace', 'informed');
  runner = spawn(process.execPath, [join(__dirname, 'support/client-node-runner.mjs')], { env: { ...process.env, KUBECONFIG: c.kubeconfig } });
  createInterface({ input: runner.stdout }).on('line', (l) => lines.push(JSON.parse(l)));
  runner.stderr.on('data', (b: Buffer) => process.stderr.write(b));
  await until(() => lines.some((l) => l.ready));
});
afterAll(async () => {
  runner?.kill();
  await c?.stop();
});

async function until(cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    const failure = lines.find((l) => l.failure);
    if (failure) throw new Error(failure.failure);
    if (Date.now() > deadline) throw new Error(`timed out; runner said:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const send = (cmd: string) => runner.stdin.write(cmd + '\n');

async function cacheNames(): Promise<string[]> {
  const mark = lines.length;
  send('cache');
  await until(() => lines.slice(mark).some((l) => l.cache));
  return lines.slice(mark).find((l) => l.cache)!.cache;
}

async function cacheBecomes(expected: string[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  let names: string[] = [];
  while (Date.now() < deadline) {
    names = await cacheNames();
    if (JSON.stringify(names) === JSON.stringify(expected)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(names).toEqual(expected);
}

const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'informed' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
const createPod = async (name: string) => {
  const r = await c.request('POST', '/api/v1/namespaces/informed/pods', { body: JSON.stringify(pod(name)), headers: { 'content-type': 'application/json' } });
  expect(r.status).toBe(201);
};

test('CRUD on pods through client-node', async () => {
  send('crud default');
  await until(() => lines.some((l) => l.crud));
  const { crud } = lines.find((l) => l.crud)!;
  expect(crud.readUid).toBe(crud.createdUid);
  expect(crud.replacedLabels).toEqual({ via: 'client-node', step: 'replaced' });
  expect(crud.patchedLabels).toEqual({ via: 'client-node', step: 'patched' });
  expect(crud.listed).toEqual(['cn-pod']);
  expect(Number(crud.listRv)).toBeGreaterThan(0);
  expect(crud.gone).toBe(true);
});

test('makeInformer lists, watches, and recovers after a gateway restart and a 410', async () => {
  await createPod('before-start');
  send('informer informed');
  await until(() => lines.some((l) => l.event === 'started'));
  await cacheBecomes(['before-start']);

  await createPod('while-watching');
  await until(() => lines.some((l) => l.event === 'add' && l.name === 'while-watching'));

  // Gateway restart: the stream drops; the informer re-watches from its last revision.
  await c.killGateway('SIGKILL');
  await c.startGateway();
  await createPod('after-restart');
  await c.request('DELETE', '/api/v1/namespaces/informed/pods/before-start');
  await cacheBecomes(['after-restart', 'while-watching']);

  // A change the gateway's new watch cache never saw (written while it was down) puts the
  // informer's revision out of the window: it gets 410 Gone, relists, and sees the change.
  await c.killGateway('SIGKILL');
  const etcd = new Etcd3(c.etcd.clientOptions);
  const stored = JSON.parse((await etcd.get('/registry/core/pods/informed/while-watching').string())!);
  await etcd.delete().key('/registry/core/pods/informed/while-watching');
  etcd.close();
  expect(stored.metadata.name).toBe('while-watching');
  await c.startGateway();
  await createPod('after-gone');
  await cacheBecomes(['after-gone', 'after-restart']);
});
