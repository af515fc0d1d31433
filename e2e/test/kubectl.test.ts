// The real kubectl against Keelson: discovery, apply/patch, tables, scale, delete, watch,
// and the everyday imperative commands.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { startControlPlane as startCluster, type ControlPlane as TestCluster } from '@keelson/testing';

jest.setTimeout(60_000);

const NGINX = join(__dirname, 'fixtures/nginx-deployment.yaml');
let c: TestCluster;

beforeAll(async () => {
  c = await startCluster();
});
afterAll(async () => {
  await c?.stop();
});

const json = async (...args: string[]): Promise<Record<string, any>> => JSON.parse(await c.k(...args, '-o', 'json'));

test('kubectl version reports the server version', async () => {
  const out = await c.k('version');
  expect(out).toMatch(/Server Version: v1\.32\.0-keelson/);
});

test('kubectl api-resources lists every served resource with short names and groups', async () => {
  const out = await c.k('api-resources');
  const rows = out.split('\n').map((l) => l.split(/\s+/));
  const row = (name: string) => rows.find((r) => r[0] === name);
  expect(row('pods')).toEqual(['pods', 'po', 'v1', 'true', 'Pod']);
  expect(row('deployments')).toEqual(['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
  expect(row('namespaces')).toEqual(['namespaces', 'ns', 'v1', 'false', 'Namespace']);
  expect(row('leases')).toEqual(['leases', 'coordination.k8s.io/v1', 'true', 'Lease']);
  for (const r of ['nodes', 'events', 'configmaps', 'serviceaccounts', 'replicasets']) expect(row(r)).toBeDefined();
});

test('kubectl get ns shows the bootstrap namespaces as Active', async () => {
  const out = await c.k('get', 'ns');
  expect(out.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+AGE$/);
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) expect(out).toMatch(new RegExp(`^${ns}\\s+Active\\s+\\d+s`, 'm'));
});

describe('the nginx Deployment from the Kubernetes docs', () => {
  test('apply creates it with Kubernetes defaults', async () => {
    expect(await c.k('apply', '-f', NGINX)).toMatch(/deployment.apps\/nginx-deployment created/);
    const d = await json('get', 'deploy', 'nginx-deployment');
    expect(d.metadata.generation).toBe(1);
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    expect(d.spec.template.spec.restartPolicy).toBe('Always');
    expect(d.spec.template.spec.terminationGracePeriodSeconds).toBe(30);
    expect(d.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('nginx:1.14.2');
    expect(d.metadata.annotations['keelson.dev/traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  });

  test('applying an edited manifest patches it strategically and bumps generation', async () => {
    const edited = join(c.dir, 'nginx-edited.yaml');
    writeFileSync(edited, readFileSync(NGINX, 'utf8').replace('replicas: 3', 'replicas: 4').replace('nginx:1.14.2', 'nginx:1.16.1'));
    expect(await c.k('apply', '-f', edited)).toMatch(/deployment.apps\/nginx-deployment configured/);
    const d = await json('get', 'deploy', 'nginx-deployment');
    expect(d.metadata.generation).toBe(2);
    expect(d.spec.replicas).toBe(4);
    const [container] = d.spec.template.spec.containers;
    expect(container.image).toBe('nginx:1.16.1');
    expect(container.ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
    // Applying the same manifest again changes nothing.
    expect(await c.k('apply', '-f', edited)).toMatch(/unchanged/);
    expect((await json('get', 'deploy', 'nginx-deployment')).metadata.generation).toBe(2);
  });

  test('kubectl get deploy,rs,pods prints Kubernetes tables', async () => {
    await c.k('run', 'table-pod', '--image=busybox:1.36', '--labels=app=nginx');
    const out = await c.k('get', 'deploy,rs,pods');
    expect(out).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/m);
    expect(out).toMatch(/^deployment\.apps\/nginx-deployment\s+0\/4\s+0\s+0\s+\d+s$/m);
    expect(out).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
    expect(out).toMatch(/^pod\/table-pod\s+0\/1\s+Pending\s+0\s+\d+s$/m);
    const wide = await c.k('get', 'pods', '-o', 'wide');
    expect(wide.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    expect(wide).toMatch(/^table-pod\s+0\/1\s+Pending\s+0\s+\d+s\s+<none>\s+<none>/m);
  });

  test('-o yaml, -l, --field-selector and -A select the right objects', async () => {
    expect(await c.k('get', 'deploy', 'nginx-deployment', '-o', 'yaml')).toMatch(/^kind: Deployment$/m);
    await c.k('run', 'other-pod', '--image=busybox:1.36', '--labels=app=other');
    const byLabel = await c.k('get', 'pods', '-l', 'app=nginx', '-o', 'name');
    expect(byLabel.trim().split('\n')).toEqual(['pod/table-pod']);
    const byField = await c.k('get', 'pods', '--field-selector', 'metadata.name=other-pod,status.phase=Pending', '-o', 'name');
    expect(byField.trim().split('\n')).toEqual(['pod/other-pod']);
    const all = await c.k('get', 'pods', '-A');
    expect(all.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+READY/);
    expect(all).toMatch(/^default\s+other-pod\s/m);
  });

  test('kubectl scale sets spec.replicas through the scale subresource', async () => {
    expect(await c.k('scale', 'deploy/nginx-deployment', '--replicas=5')).toMatch(/scaled/);
    const d = await json('get', 'deploy', 'nginx-deployment');
    expect(d.spec.replicas).toBe(5);
    expect(d.metadata.generation).toBe(3);
  });

  test('kubectl delete -f removes it', async () => {
    expect(await c.k('delete', '-f', NGINX)).toMatch(/deployment.apps "nginx-deployment" deleted/);
    const r = await c.kubectl(['get', 'deploy', 'nginx-deployment']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Error from server \(NotFound\): deployments.apps "nginx-deployment" not found/);
  });
});

test('kubectl get pods -w prints a change made by another client', async () => {
  const watcher = spawn('kubectl', ['--kubeconfig', c.kubeconfig, '--cache-dir', join(c.dir, 'kube-cache'), 'get', 'pods', '-w', '--output-watch-events']);
  let out = '';
  watcher.stdout.on('data', (b: Buffer) => (out += b.toString()));
  try {
    await waitFor(() => out.includes('NAME'), 10_000);
    await c.k('run', 'watched-pod', '--image=busybox:1.36');
    await waitFor(() => /ADDED\s+watched-pod\s+0\/1\s+Pending/.test(out), 10_000);
    await c.k('label', 'pod', 'watched-pod', 'seen=yes');
    await waitFor(() => /MODIFIED\s+watched-pod/.test(out), 10_000);
  } finally {
    watcher.kill();
  }
});

test('kubectl run, create namespace, label, annotate and edit', async () => {
  expect(await c.k('create', 'namespace', 'team-a')).toMatch(/namespace\/team-a created/);
  expect(await c.k('run', 'web', '--image=nginx:1.27', '-n', 'team-a', '--port=80')).toMatch(/pod\/web created/);
  expect(await c.k('label', 'pod', 'web', '-n', 'team-a', 'tier=frontend')).toMatch(/pod\/web labeled/);
  expect(await c.k('annotate', 'pod', 'web', '-n', 'team-a', 'owner=alice')).toMatch(/pod\/web annotated/);
  const editor = join(c.dir, 'editor.sh');
  writeFileSync(editor, '#!/bin/sh\nsed -i "s/^  namespace: team-a$/  namespace: team-a\\n  labels:\\n    edited: \\"true\\"/" "$1"\n');
  chmodSync(editor, 0o755);
  await c.k('create', 'configmap', 'settings', '-n', 'team-a', '--from-literal=mode=fast');
  const edit = await c.kubectl(['edit', 'configmap', 'settings', '-n', 'team-a'], { env: { KUBE_EDITOR: editor, EDITOR: editor } });
  expect(edit.stderr + edit.stdout).toMatch(/configmap\/settings edited/);
  const pod = await json('get', 'pod', 'web', '-n', 'team-a');
  expect(pod.metadata.labels).toEqual({ run: 'web', tier: 'frontend' });
  expect(pod.metadata.annotations.owner).toBe('alice');
  expect(pod.spec.containers[0].ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
  const cm = await json('get', 'configmap', 'settings', '-n', 'team-a');
  expect(cm.metadata.labels).toEqual({ edited: 'true' });
  expect(cm.data).toEqual({ mode: 'fast' });
});

export async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('kubectl explain reads the served OpenAPI schemas', async () => {
  const out = await c.k('explain', 'deployments.spec.strategy');
  expect(out).toMatch(/GROUP:\s+apps/);
  expect(out).toMatch(/FIELD: strategy <DeploymentStrategy>/);
  expect(out).toMatch(/rollingUpdate\s+<RollingUpdateDeployment>/);
});

test('server-side apply creates when missing and merges otherwise; server dry-run stores nothing', async () => {
  const manifest = join(c.dir, 'ssa.yaml');
  writeFileSync(manifest, readFileSync(NGINX, 'utf8').replace('name: nginx-deployment', 'name: ssa-web'));
  expect(await c.k('apply', '--server-side', '-f', manifest)).toMatch(/deployment.apps\/ssa-web serverside-applied/);
  writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('replicas: 3', 'replicas: 2'));
  await c.k('apply', '--server-side', '-f', manifest);
  const d = await json('get', 'deploy', 'ssa-web');
  expect(d.spec.replicas).toBe(2);
  expect(d.spec.template.spec.containers[0].ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
  const dry = await c.kubectl(['create', '-f', manifest, '--dry-run=server']);
  expect(dry.stderr).toMatch(/AlreadyExists/);
  const fresh = manifest.replace('.yaml', '-dry.yaml');
  writeFileSync(fresh, readFileSync(manifest, 'utf8').replace('name: ssa-web', 'name: dry-only'));
  expect(await c.k('create', '-f', fresh, '--dry-run=server')).toMatch(/deployment.apps\/dry-only created \(server dry run\)/);
  expect((await c.kubectl(['get', 'deploy', 'dry-only'])).stderr).toMatch(/NotFound/);
});

test('kubectl describe pod shows the pod and its events', async () => {
  await c.k('run', 'described', '--image=busybox:1.36');
  const p = await json('get', 'pod', 'described');
  const event = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'described.1', namespace: 'default' },
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'described', uid: p.metadata.uid, apiVersion: 'v1' },
    reason: 'Scheduled',
    message: 'Successfully assigned default/described to node-1',
    type: 'Normal',
    source: { component: 'default-scheduler' },
    count: 1,
    firstTimestamp: p.metadata.creationTimestamp,
    lastTimestamp: p.metadata.creationTimestamp,
  };
  const r = await c.request('POST', '/api/v1/namespaces/default/events', { body: JSON.stringify(event), headers: { 'content-type': 'application/json' } });
  expect(r.status).toBe(201);
  const out = await c.k('describe', 'pod', 'described');
  expect(out).toMatch(/^Name:\s+described$/m);
  expect(out).toMatch(/^Status:\s+Pending$/m);
  expect(out).toMatch(/Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default\/described to node-1/);
});
