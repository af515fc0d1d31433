// Server-side apply and managedFields with the real kubectl: field managers own what they
// apply, a second manager gets a 409 naming the owner and the field, --force-conflicts takes
// ownership, a field dropped from the manifest is removed, and client-side apply hands over
// to server-side apply without conflicts on kubectl's own fields.
import { startControlPlane, type ControlPlane } from '@keelson/testing';

jest.setTimeout(90_000);

let c: ControlPlane;

beforeAll(async () => {
  c = await startControlPlane();
});
afterAll(async () => {
  await c?.stop();
});

interface Entry {
  manager: string;
  operation: string;
  apiVersion: string;
  time?: string;
  fieldsType: string;
  fieldsV1: Record<string, any>;
  subresource?: string;
}

function deployment(name: string, opts: { replicas?: number; labels?: Record<string, string>; env?: { name: string; value: string }[]; image?: string } = {}): string {
  const labels = opts.labels ?? { app: name };
  const container: Record<string, unknown> = { name: 'web', image: opts.image ?? 'nginx:1.27' };
  if (opts.env) container.env = opts.env;
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      ...(opts.replicas !== undefined ? { replicas: opts.replicas } : {}),
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [container] } },
    },
  });
}

async function applyAs(manager: string, manifest: string, ...extra: string[]) {
  return c.kubectl(['apply', '--server-side', `--field-manager=${manager}`, ...extra, '-f', '-'], { input: manifest });
}

async function getDeployment(name: string): Promise<{ metadata: { labels?: Record<string, string>; annotations?: Record<string, string>; managedFields?: Entry[] }; spec: any }> {
  return JSON.parse(await c.k('get', 'deployment', name, '-o', 'json', '--show-managed-fields'));
}

const entry = (entries: Entry[] | undefined, manager: string, operation = 'Apply'): Entry | undefined =>
  (entries ?? []).find((e) => e.manager === manager && e.operation === operation);

describe('kubectl apply --server-side', () => {
  test('a second field manager changing an owned field gets a 409 naming the owner and the field; --force-conflicts takes it', async () => {
    expect((await applyAs('a', deployment('web', { replicas: 2 }))).code).toBe(0);
    const first = await getDeployment('web');
    expect(first.spec.replicas).toBe(2);
    expect(entry(first.metadata.managedFields, 'a')).toMatchObject({ apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } });

    const conflict = await applyAs('b', deployment('web', { replicas: 3 }));
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain('Apply failed with 1 conflict: conflict with "a": .spec.replicas');
    expect(conflict.stderr).toContain('--force-conflicts');
    expect((await getDeployment('web')).spec.replicas).toBe(2);

    // The same through the API: the Status kube-apiserver sends.
    const raw = await c.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/web?fieldManager=b', {
      body: deployment('web', { replicas: 3 }),
      headers: { 'content-type': 'application/apply-patch+yaml' },
    });
    expect(raw.status).toBe(409);
    expect(JSON.parse(raw.body)).toMatchObject({
      kind: 'Status',
      reason: 'Conflict',
      code: 409,
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "a"', field: '.spec.replicas' }] },
    });

    // Applying the value a already has is shared ownership, not a conflict.
    expect((await applyAs('b', deployment('web', { replicas: 2 }))).code).toBe(0);

    const forced = await applyAs('b', deployment('web', { replicas: 5 }), '--force-conflicts');
    expect(forced.code).toBe(0);
    const after = await getDeployment('web');
    expect(after.spec.replicas).toBe(5);
    expect(entry(after.metadata.managedFields, 'b')!.fieldsV1['f:spec']['f:replicas']).toEqual({});
    expect(entry(after.metadata.managedFields, 'a')!.fieldsV1['f:spec']['f:replicas']).toBeUndefined();

    // a now conflicts with b on replicas.
    const back = await applyAs('a', deployment('web', { replicas: 2 }));
    expect(back.stderr).toContain('conflict with "b": .spec.replicas');
  });

  test('a label and an env var removed from the manifest are removed from the object on re-apply', async () => {
    const env = [
      { name: 'MODE', value: 'prod' },
      { name: 'DEBUG', value: '1' },
    ];
    await applyAs('ci', deployment('trim', { labels: { app: 'trim', tier: 'front' }, env }));
    let d = await getDeployment('trim');
    expect(d.metadata.labels).toEqual({ app: 'trim', tier: 'front' });
    expect(d.spec.template.spec.containers[0].env).toEqual(env);
    expect(entry(d.metadata.managedFields, 'ci')!.fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"web"}']['f:env']).toEqual({
      'k:{"name":"DEBUG"}': { '.': {}, 'f:name': {}, 'f:value': {} },
      'k:{"name":"MODE"}': { '.': {}, 'f:name': {}, 'f:value': {} },
    });

    expect((await applyAs('ci', deployment('trim', { labels: { app: 'trim' }, env: [env[0]] }))).code).toBe(0);
    d = await getDeployment('trim');
    expect(d.metadata.labels).toEqual({ app: 'trim' });
    expect(d.spec.template.spec.containers[0].env).toEqual([env[0]]);
    expect(d.spec.template.spec.containers[0].image).toBe('nginx:1.27');
  });

  test('a Service port and a ConfigMap key dropped from the manifest are removed; server-set fields stay', async () => {
    const svc = (ports: { name: string; port: number }[]) =>
      JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ssa-svc' }, spec: { selector: { app: 'x' }, ports } });
    await applyAs('svc', svc([{ name: 'http', port: 80 }, { name: 'metrics', port: 9090 }]));
    const created = JSON.parse(await c.k('get', 'service', 'ssa-svc', '-o', 'json'));
    expect(created.spec.ports.map((p: { port: number }) => p.port)).toEqual([80, 9090]);
    await applyAs('svc', svc([{ name: 'http', port: 80 }]));
    const after = JSON.parse(await c.k('get', 'service', 'ssa-svc', '-o', 'json'));
    expect(after.spec.ports).toEqual([expect.objectContaining({ name: 'http', port: 80, protocol: 'TCP' })]);
    expect(after.spec.clusterIP).toBe(created.spec.clusterIP); // allocated by the server, owned by nobody: kept

    const cm = (data: Record<string, string>) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa-cm' }, data });
    await applyAs('cm', cm({ a: '1', b: '2' }));
    await applyAs('cm', cm({ a: '1' }));
    expect(JSON.parse(await c.k('get', 'configmap', 'ssa-cm', '-o', 'json')).data).toEqual({ a: '1' });
  });

  test('a field another manager also owns stays when one applier drops it', async () => {
    await applyAs('one', deployment('shared', { labels: { app: 'shared', team: 'x' } }));
    await applyAs('two', JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'shared', labels: { team: 'x' } } }));
    await applyAs('one', deployment('shared', { labels: { app: 'shared' } }));
    expect((await getDeployment('shared')).metadata.labels).toEqual({ app: 'shared', team: 'x' });
  });

  test('client-side apply then server-side apply: kubectl takes over its own fields without conflicts', async () => {
    const manifest = deployment('migrate', { replicas: 1, labels: { app: 'migrate', stage: 'one' } });
    await c.kubectl(['apply', '-f', '-'], { input: manifest }).then((r) => expect(r.stderr).toBe(''));
    const csa = await getDeployment('migrate');
    expect(entry(csa.metadata.managedFields, 'kubectl-client-side-apply', 'Update')).toMatchObject({
      apiVersion: 'apps/v1',
      fieldsV1: { 'f:metadata': { 'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} } } },
    });

    const ssa = await c.kubectl(['apply', '--server-side', '-f', '-'], { input: deployment('migrate', { replicas: 3, labels: { app: 'migrate', stage: 'one' }, image: 'nginx:1.28' }) });
    expect(ssa.stderr).toBe('');
    expect(ssa.code).toBe(0);
    let d = await getDeployment('migrate');
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.template.spec.containers[0].image).toBe('nginx:1.28');
    expect(entry(d.metadata.managedFields, 'kubectl')!.fieldsV1['f:spec']['f:replicas']).toEqual({});
    // The client-side annotation follows the server-side configuration.
    expect(JSON.parse(d.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration']).spec.replicas).toBe(3);

    // And now a label dropped from the manifest goes away.
    await c.kubectl(['apply', '--server-side', '-f', '-'], { input: deployment('migrate', { replicas: 3, image: 'nginx:1.28' }) });
    d = await getDeployment('migrate');
    expect(d.metadata.labels).toEqual({ app: 'migrate' });
  });

  test('client-side then server-side apply of a Job keeps the selector the server generated (no manager owns it)', async () => {
    const job = JSON.stringify({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate-job' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl:5.34.0', command: ['perl', '-e', 'print 1'] }] } } },
    });
    await c.kubectl(['apply', '-f', '-'], { input: job }).then((r) => expect(r.stderr).toBe(''));
    const ssa = await c.kubectl(['apply', '--server-side', '-f', '-'], { input: job });
    // kubectl's migration re-applies the last-applied configuration; had the create's entry owned
    // the generated selector, that re-apply would drop it and fail ("failed to re-apply ...").
    expect(ssa.stderr).toBe('');
    expect(ssa.code).toBe(0);
    const got = JSON.parse(await c.k('get', 'job', 'migrate-job', '-o', 'json', '--show-managed-fields')) as { spec: { selector?: { matchLabels?: Record<string, string> } }; metadata: { managedFields: Entry[] } };
    expect(Object.keys(got.spec.selector?.matchLabels ?? {})).toEqual(['batch.kubernetes.io/controller-uid']);
    for (const e of got.metadata.managedFields) expect(e.fieldsV1['f:spec']?.['f:selector']).toBeUndefined();
  });

  test('--show-managed-fields prints the entries as on a real cluster; without it kubectl hides them', async () => {
    await applyAs('show', deployment('shown', { replicas: 1 }));
    const yaml = await c.k('get', 'deployment', 'shown', '-o', 'yaml', '--show-managed-fields');
    expect(yaml).toContain('  managedFields:\n  - apiVersion: apps/v1\n    fieldsType: FieldsV1\n    fieldsV1:\n      f:metadata:\n        f:labels:\n          f:app: {}\n');
    expect(yaml).toMatch(/    manager: show\n    operation: Apply\n    time: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\n/);
    expect(yaml).toContain('          f:spec:\n            f:containers:\n              k:{"name":"web"}:\n                .: {}\n                f:image: {}\n                f:name: {}\n');
    expect(await c.k('get', 'deployment', 'shown', '-o', 'yaml')).not.toContain('managedFields');
  });
});

describe('managedFields on other writes', () => {
  test('create, patch and the scale subresource record Update entries per manager', async () => {
    await c.kubectl(['create', '-f', '-'], { input: deployment('updates', { replicas: 1 }) }).then((r) => expect(r.code).toBe(0));
    await c.k('patch', 'deployment', 'updates', '--type=merge', '-p', '{"metadata":{"labels":{"patched":"yes"}}}');
    await c.k('scale', 'deployment', 'updates', '--replicas=4');
    const d = await getDeployment('updates');
    const entries = d.metadata.managedFields!;
    expect(entry(entries, 'kubectl-create', 'Update')).toMatchObject({ apiVersion: 'apps/v1', fieldsType: 'FieldsV1' });
    expect(entry(entries, 'kubectl-patch', 'Update')!.fieldsV1).toEqual({ 'f:metadata': { 'f:labels': { 'f:patched': {} } } });
    const scale = entries.find((e) => e.subresource === 'scale');
    expect(scale).toMatchObject({ operation: 'Update', fieldsV1: { 'f:spec': { 'f:replicas': {} } } });
    // replicas moved to the scale writer
    expect(entry(entries, 'kubectl-create', 'Update')!.fieldsV1['f:spec']['f:replicas']).toBeUndefined();
  });

  test('apply needs a fieldManager, force is for apply only, and a dry run stores nothing', async () => {
    const path = '/apis/apps/v1/namespaces/default/deployments/opts';
    const noManager = await c.request('PATCH', path, { body: deployment('opts'), headers: { 'content-type': 'application/apply-patch+yaml' } });
    expect(noManager.status).toBe(422);
    expect(JSON.parse(noManager.body).message).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');

    const forced = await c.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/web?force=true', { body: '{}', headers: { 'content-type': 'application/merge-patch+json' } });
    expect(forced.status).toBe(422);
    expect(JSON.parse(forced.body).message).toBe('PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');

    const dry = await c.request('PATCH', `${path}?fieldManager=dry&dryRun=All`, { body: deployment('opts'), headers: { 'content-type': 'application/apply-patch+yaml' } });
    expect(dry.status).toBe(201);
    expect(JSON.parse(dry.body).metadata.managedFields[0]).toMatchObject({ manager: 'dry', operation: 'Apply' });
    expect((await c.request('GET', path)).status).toBe(404);

    const managedInPatch = await c.request('PATCH', `${path}?fieldManager=x`, {
      body: JSON.stringify({ ...JSON.parse(deployment('opts')), metadata: { name: 'opts', managedFields: [] } }),
      headers: { 'content-type': 'application/apply-patch+yaml' },
    });
    expect(managedInPatch.status).toBe(400);
    expect(JSON.parse(managedInPatch.body).message).toBe('metadata.managedFields must be nil');
  });
});
