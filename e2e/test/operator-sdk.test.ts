// docs/operators.md as a new user follows it, in a directory outside the repository: the
// scaffold (`npm run new-operator -- NAME --dir DIR`), an offline `npm install` (file: links into
// this checkout), the project's own `npm test` (its reconcile against envtest: etcd, NATS and
// the gateway of this checkout), then `npm start` against a running cluster with the CRD and a
// sample applied by real kubectl: the operator reconciles the custom object (ConfigMap, status,
// printer columns, Event), follows a spec change made with kubectl, recreates the ConfigMap it
// owns when kubectl deletes it, and exits cleanly on SIGTERM. (That the garbage collector
// removes an owned ConfigMap with its custom owner is garbage-collector-crd.test.ts's.)
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startControlPlane, type ControlPlane, until } from '@keelson/testing';

jest.setTimeout(300_000);

const ROOT = resolve(__dirname, '../..');
const NAME = 'widget-operator';

interface Run { code: number; stdout: string; stderr: string }

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
  });
}

function ok(r: Run, what: string): Run {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  return r;
}

// The user's shell: none of the harness's KEELSON_* settings, so the operator finds the cluster through KUBECONFIG as documented.
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('KEELSON_') && !k.startsWith('npm_') && k !== 'INIT_CWD') env[k] = v;
  return { ...env, ...extra };
}

let work: string;
let project: string;
let cluster: ControlPlane | undefined;
// The running cluster of the second test comes up while the first test works (mostly waiting on
// npm, tsc and envtest's own processes).
let clusterStarting: Promise<ControlPlane> | undefined;
let operator: ChildProcess | undefined;
let operatorLog = '';

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'keelson-operator-sdk-'));
  project = join(work, NAME);
  clusterStarting = startControlPlane({ nats: true });
  clusterStarting.then((c) => (cluster = c), () => undefined); // stopped in afterAll either way; a failure surfaces in the second test
});

afterAll(async () => {
  if (operator?.pid && operator.exitCode === null && operator.signalCode === null) {
    const exited = new Promise((r) => operator!.once('exit', r));
    process.kill(-operator.pid, 'SIGKILL');
    await exited;
  }
  await clusterStarting?.catch(() => undefined);
  await cluster?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('the scaffold, installed offline from the checkout, passes its own test against envtest', async () => {
  const made = ok(await run('npm', ['run', 'new-operator', '--', NAME, '--dir', project], ROOT, userEnv()), 'npm run new-operator');
  expect(made.stdout).toContain(`created ${project} (Widget, widgets.example.com)`);
  for (const f of ['package.json', 'config/crd.yaml', 'config/sample.yaml', 'src/generated/widget.ts', 'src/reconciler.ts', 'src/main.ts', 'test/operator.test.ts', 'Dockerfile']) {
    expect(existsSync(join(project, f))).toBe(true);
  }
  // The generated types name the CRD's fields, required ones without `?`.
  const types = readFileSync(join(project, 'src/generated/widget.ts'), 'utf8');
  expect(types).toContain('export interface Widget extends KubeObject');
  expect(types).toMatch(/export type WidgetSpec = \{[\s\S]*message: string;[\s\S]*shout\?: boolean;/);

  // No registry: the SDK, typescript and @types/node are file: links into this checkout.
  ok(await run('npm', ['install', '--offline', '--no-audit', '--no-fund'], project, userEnv()), 'npm install');
  expect(existsSync(join(ROOT, 'libs/operator-sdk/node_modules'))).toBe(false); // nothing installed into the checkout

  const test = ok(await run('npm', ['test'], project, userEnv()), 'the scaffold\'s npm test');
  expect(test.stdout).toMatch(/^# pass 2$/m);
  expect(test.stdout).toMatch(/^# fail 0$/m);
});

test('npm start runs the operator against a running cluster: kubectl-applied objects are reconciled', async () => {
  expect(existsSync(join(project, 'dist/src/main.js'))).toBe(true); // built by npm test
  const c = await clusterStarting!;
  await c.k('apply', '-f', join(project, 'config/crd.yaml'));
  await c.k('wait', '--for=condition=Established', '--timeout=30s', 'crd/widgets.example.com');

  operator = spawn('npm', ['start'], { cwd: project, env: userEnv({ KUBECONFIG: c.kubeconfig }), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  operator.stdout!.on('data', (b: Buffer) => (operatorLog = (operatorLog + b.toString()).slice(-20_000)));
  operator.stderr!.on('data', (b: Buffer) => (operatorLog = (operatorLog + b.toString()).slice(-20_000)));
  const logs = (): string => `--- operator log ---\n${operatorLog}`;

  await c.k('apply', '-f', join(project, 'config/sample.yaml'));
  await until('the sample Ready', async () => (await c.k('get', 'widgets', 'sample', '-o', 'jsonpath={.status.phase}')) === 'Ready', 90_000, 200, logs);
  expect(await c.k('get', 'configmap', 'sample-message', '-o', 'jsonpath={.data.message}')).toBe(`hello from ${NAME}`);
  const owner = JSON.parse(await c.k('get', 'configmap', 'sample-message', '-o', 'jsonpath={.metadata.ownerReferences[0]}')) as { kind: string; name: string; controller: boolean };
  expect(owner).toMatchObject({ kind: 'Widget', name: 'sample', controller: true });
  // The CRD's printer columns show the operator's status.
  expect(await c.k('get', 'widgets')).toMatch(/^sample\s+hello from widget-operator\s+Ready\s+sample-message/m);
  await until('the Reconciled Event', async () => (await c.k('get', 'events', '--field-selector', 'involvedObject.name=sample,reason=Reconciled', '-o', 'name')).trim(), 30_000, 200, logs);

  // A change made with kubectl is reconciled.
  await c.k('patch', 'widget', 'sample', '--type=merge', '-p', '{"spec":{"shout":true}}');
  await until('the shouted message', async () => (await c.k('get', 'configmap', 'sample-message', '-o', 'jsonpath={.data.message}')) === `HELLO FROM ${NAME.toUpperCase()}`, 30_000, 200, logs);

  // A ConfigMap it owns, deleted with kubectl, is recreated (owns(): the owner is reconciled).
  const uid = await c.k('get', 'configmap', 'sample-message', '-o', 'jsonpath={.metadata.uid}');
  await c.k('delete', 'configmap', 'sample-message');
  await until('the ConfigMap recreated', async () => {
    const r = await c.kubectl(['get', 'configmap', 'sample-message', '-o', 'jsonpath={.metadata.uid} {.data.message}']);
    return r.code === 0 && !r.stdout.startsWith(uid) && r.stdout.endsWith(`HELLO FROM ${NAME.toUpperCase()}`);
  }, 30_000, 200, logs);

  // Ctrl-C's SIGTERM sibling (to npm and the operator, as a terminal's process group gets it):
  // the operator drains its queue, stops its informers and exits.
  const exited = new Promise<void>((r) => operator!.once('exit', () => r()));
  process.kill(-operator.pid!, 'SIGTERM');
  await exited;
  await until('the operator stopped', async () => /"msg":"stopped"/.test(operatorLog), 30_000, 100, logs);
  expect(operatorLog).toContain('"msg":"shutting down"');
  expect(operatorLog).not.toMatch(/shutdown failed|"level":"error"/);
});
