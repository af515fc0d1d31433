// `kubectl delete namespace` end to end: the namespace controller empties the namespace
// (pods, configmaps, a deployment), finalizes it, and kubectl's default wait returns.
import { startControlPlane, type ControlPlane } from '@keelson/testing';

jest.setTimeout(90_000);

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane({ nats: true, services: ['namespace-controller'] });
  await cp.startService('namespace-controller', { env: { KEELSON_LEASE_DURATION_MS: '3000', KEELSON_RENEW_DEADLINE_MS: '2000', KEELSON_RETRY_PERIOD_MS: '500' } });
});
afterAll(async () => {
  await cp?.stop();
});

const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: x }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: nginx }] }
`;

test('kubectl delete namespace removes the namespace and everything in it', async () => {
  await cp.k('create', 'namespace', 'x');
  await cp.k('run', 'p1', '--image=busybox', '-n', 'x');
  await cp.k('run', 'p2', '--image=busybox', '-n', 'x');
  await cp.k('create', 'configmap', 'settings', '--from-literal=a=1', '-n', 'x');
  expect((await cp.kubectl(['apply', '-f', '-'], { input: deployment })).code).toBe(0);
  expect(await cp.k('get', 'pods,configmaps,deployments', '-n', 'x', '-o', 'name')).toMatch(/pod\/p1[\s\S]*configmap\/settings[\s\S]*deployment.apps\/web/);

  const del = await cp.kubectl(['delete', 'namespace', 'x'], { timeoutMs: 60_000 });
  expect(del).toMatchObject({ code: 0 });
  expect(del.stdout).toMatch(/namespace "x" deleted/);

  expect((await cp.request('GET', '/api/v1/namespaces/x')).status).toBe(404);
  for (const path of ['/api/v1/namespaces/x/pods', '/api/v1/namespaces/x/configmaps', '/apis/apps/v1/namespaces/x/deployments']) {
    expect(JSON.parse((await cp.request('GET', path)).body).items).toEqual([]);
  }
});

test('a namespace can be created again under the same name after it is gone', async () => {
  await cp.k('create', 'namespace', 'again');
  await cp.k('create', 'configmap', 'c', '-n', 'again');
  await cp.k('delete', 'namespace', 'again');
  await cp.k('create', 'namespace', 'again');
  expect(await cp.k('get', 'configmaps', '-n', 'again', '-o', 'name')).not.toMatch(/configmap\/c\b/);
});
