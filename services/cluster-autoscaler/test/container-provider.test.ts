// The `container` provider against a fake Docker Engine API on a unix socket (the compose stack
// runs it for real): a machine copies its template container with its own name, shape and the
// process runtime as root, labelled into the template's compose project; scale-down stops and
// removes it; the leader's sync removes a machine container whose Node is gone and nothing else.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '@keelson/api';
import type { DynamicClient, KubeObject, Logger, Node } from '@keelson/operator-sdk';
import { CONTAINER_LABEL, ContainerProvider, machineContainer, type ContainerInfo } from '../src/container-provider';
import type { NodePool } from '../src/types';

const pool: NodePool = {
  apiVersion: 'autoscaling.keelson.dev/v1alpha1', kind: 'NodePool', metadata: { name: 'boxes', uid: 'pool-uid' },
  spec: {
    minNodes: 0, maxNodes: 3, provider: 'container',
    nodeTemplate: { allocatable: { cpu: '2', memory: '4Gi', pods: '30' }, labels: { tier: 'boxes' }, taints: [{ key: 'dedicated', value: 'boxes', effect: 'NoSchedule' }] },
  },
};

const template: ContainerInfo = {
  Id: 'tmpl0000', Name: '/keelson-abc-nodes-sim-1',
  Config: {
    Image: 'keelson/kubelet:dev',
    Env: ['KEELSON_API_URL=https://api-gateway:6443', 'NODE_NAME=sim', 'NODE_COUNT=10', 'KEELSON_KUBELET_RUNTIME=simulated', 'KEELSON_KUBELET_ADDRESS=nodes-sim', 'KEELSON_KUBELET_ROOT=/tmp/kubelet', 'KEELSON_TOKEN_FILE=/var/lib/keelson/tokens/kubelet.token'],
    Labels: { 'com.docker.compose.project': 'keelson-abc', 'com.docker.compose.service': 'nodes-sim' },
    Cmd: ['node', 'services/kubelet/dist/main.js'],
  },
  HostConfig: { NetworkMode: 'keelson-abc_default', Binds: ['keelson-abc_creds-kubelet:/var/lib/keelson:ro'] },
  NetworkSettings: { Networks: { 'keelson-abc_default': {} } },
};

test('a machine container copies the template: image, network, credential volume; its own name, shape and the process runtime as root', () => {
  const c = machineContainer(template, pool, 'boxes-x1') as { Image: string; Env: string[]; User: string; Hostname: string; Labels: Record<string, string>; HostConfig: Record<string, unknown>; NetworkingConfig: unknown };
  expect(c.Image).toBe('keelson/kubelet:dev');
  expect(c.User).toBe('0:0');
  expect(c.Hostname).toBe('boxes-x1');
  expect(c.Env).toEqual(expect.arrayContaining([
    'KEELSON_API_URL=https://api-gateway:6443', 'KEELSON_TOKEN_FILE=/var/lib/keelson/tokens/kubelet.token',
    'NODE_NAME=boxes-x1', 'KEELSON_KUBELET_RUNTIME=process', 'KEELSON_KUBELET_ADDRESS=boxes-x1',
    'KEELSON_NODE_CPU=2', 'KEELSON_NODE_MEMORY=4Gi', 'KEELSON_NODE_PODS=30',
    'KEELSON_NODE_LABELS=tier=boxes,autoscaling.keelson.dev/node-pool=boxes', 'KEELSON_NODE_TAINTS=dedicated=boxes:NoSchedule',
  ]));
  // The template's own node settings are gone, not doubled.
  expect(c.Env.filter((e) => e.startsWith('NODE_NAME='))).toEqual(['NODE_NAME=boxes-x1']);
  expect(c.Env.some((e) => e.startsWith('NODE_COUNT=') || e.startsWith('KEELSON_KUBELET_ROOT=') || e === 'KEELSON_KUBELET_RUNTIME=simulated')).toBe(false);
  expect(c.Labels).toEqual({
    'com.docker.compose.project': 'keelson-abc', 'com.docker.compose.service': 'nodepool-boxes', 'com.docker.compose.oneoff': 'False',
    [CONTAINER_LABEL]: 'boxes-x1', 'autoscaling.keelson.dev/node-pool': 'boxes',
  });
  expect(c.HostConfig).toMatchObject({ NetworkMode: 'keelson-abc_default', Binds: ['keelson-abc_creds-kubelet:/var/lib/keelson:ro'], Init: true, RestartPolicy: { Name: 'unless-stopped' } });
  expect(c.NetworkingConfig).toEqual({ EndpointsConfig: { 'keelson-abc_default': { Aliases: ['boxes-x1'] } } });
});

describe('against a fake Docker Engine API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ca-docker-'));
  const socket = join(dir, 'docker.sock');
  const calls: string[] = [];
  const containers = new Map<string, { Id: string; Names: string[]; Labels: Record<string, string>; State: string }>();
  let server: Server;
  let seq = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://docker');
        calls.push(`${req.method} ${url.pathname}${url.pathname.endsWith('/create') ? `?name=${url.searchParams.get('name')}` : ''}`);
        const send = (status: number, obj?: unknown): void => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(obj === undefined ? '' : JSON.stringify(obj));
        };
        let m: RegExpExecArray | null;
        if (req.method === 'GET' && (m = /^\/containers\/([^/]+)\/json$/.exec(url.pathname))) return decodeURIComponent(m[1]) === 'nodes-sim' || m[1] === template.Id ? send(200, template) : send(404, { message: 'No such container' });
        if (req.method === 'GET' && url.pathname === '/containers/json') {
          const want = (JSON.parse(url.searchParams.get('filters') ?? '{}') as { label?: string[] }).label ?? [];
          return send(200, [...containers.values()].filter((c) => want.every((l) => {
            const [k, v] = l.split('=');
            return v === undefined ? k in c.Labels : c.Labels[k] === v;
          })));
        }
        if (req.method === 'POST' && url.pathname === '/containers/create') {
          const spec = JSON.parse(body) as { Labels: Record<string, string> };
          const Id = `c${++seq}`;
          containers.set(Id, { Id, Names: [`/${url.searchParams.get('name')}`], Labels: spec.Labels, State: 'created' });
          return send(201, { Id });
        }
        if (req.method === 'POST' && (m = /^\/containers\/([^/]+)\/(start|stop)$/.exec(url.pathname))) {
          const c = containers.get(m[1]);
          if (!c) return send(404, { message: 'No such container' });
          c.State = m[2] === 'start' ? 'running' : 'exited';
          return send(204);
        }
        if (req.method === 'DELETE' && (m = /^\/containers\/([^/]+)$/.exec(url.pathname))) return containers.delete(m[1]) ? send(204) : send(404, { message: 'No such container' });
        send(500, { message: `unexpected ${req.method} ${url.pathname}` });
      });
    });
    await new Promise<void>((r) => server.listen(socket, () => r()));
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const nodes = new Map<string, KubeObject>();
  const api: string[] = [];
  const notFound = (): Error => new ApiError(404, 'NotFound', 'nodes not found');
  const resource = {
    create: async (obj: KubeObject) => (api.push(`create Node ${obj.metadata.name}`), nodes.set(String(obj.metadata.name), obj), obj),
    patch: async (name: string) => (api.push(`patch ${name}`), nodes.get(name)),
    get: async (name: string) => {
      const n = nodes.get(name);
      if (!n) throw notFound();
      return n;
    },
    delete: async (name: string) => {
      api.push(`delete ${name}`);
      if (!nodes.delete(name)) throw notFound();
      return {};
    },
  };
  const pools = new Map<string, NodePool>([['boxes', pool]]);
  const poolResource = {
    get: async (name: string) => {
      const p = pools.get(name);
      if (!p) throw notFound();
      return p;
    },
  };
  const client = { resource: (r: { resource: string }) => (r.resource === 'nodepools' ? poolResource : resource) } as unknown as DynamicClient;
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, child: () => log } as unknown as Logger;
  const provider = new ContainerProvider(client, { socket, template: 'nodes-sim', stopSeconds: 7 }, log);

  test('scale-up creates the Node, then a started container named in the project; scale-down stops and removes it', async () => {
    const [name] = await provider.createNodes(pool, 1);
    expect(name).toMatch(/^boxes-[0-9a-f]{5}$/);
    expect(api).toEqual([`create Node ${name}`, `patch ${name}`]);
    expect(calls).toEqual(['GET /containers/nodes-sim/json', `POST /containers/create?name=keelson-abc-${name}`, 'POST /containers/c1/start']);
    expect([...containers.values()].map((c) => [c.Labels[CONTAINER_LABEL], c.State])).toEqual([[name, 'running']]);
    const node = nodes.get(name)!;
    expect(node.metadata.annotations).toEqual({ 'autoscaling.keelson.dev/provider': 'container' });
    expect(node.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'NodePool', name: 'boxes', uid: 'pool-uid' });

    calls.length = 0;
    api.length = 0;
    await provider.deleteNode(pool, name);
    expect(calls).toEqual(['GET /containers/json', 'POST /containers/c1/stop', 'DELETE /containers/c1']);
    expect(api).toEqual([`delete ${name}`]);
    expect(containers.size).toBe(0);
  });

  test('sync removes a machine container whose Node is gone, keeps one whose Node exists, and never touches another project\'s', async () => {
    const [kept, orphaned] = await provider.createNodes(pool, 2);
    containers.set('other', { Id: 'other', Names: ['/keelson-xyz-boxes-zzzzz'], Labels: { [CONTAINER_LABEL]: 'boxes-zzzzz', 'com.docker.compose.project': 'keelson-xyz' }, State: 'running' });
    nodes.delete(orphaned); // the garbage collector took it with its pool
    // The cache lags: neither Node is in it; the API is asked.
    await provider.sync(new Map([['boxes', pool]]), []);
    expect([...containers.values()].map((c) => c.Labels[CONTAINER_LABEL]).sort()).toEqual(['boxes-zzzzz', kept].sort());
    await provider.sync(new Map([['boxes', pool]]), [nodes.get(kept) as Node]);
    expect(containers.size).toBe(2);
  });

  test('sync removes the machines of a deleted NodePool though their Nodes exist (a running kubelet registers its Node again), and deletes those Nodes', async () => {
    const [kept] = [...containers.values()].filter((c) => c.Labels['com.docker.compose.project'] === 'keelson-abc').map((c) => c.Labels[CONTAINER_LABEL]);
    expect(nodes.has(kept)).toBe(true);
    // The informer cache still shows the pool: nothing happens.
    await provider.sync(new Map([['boxes', pool]]), [nodes.get(kept) as Node]);
    expect(containers.size).toBe(2);
    pools.delete('boxes');
    api.length = 0;
    // Gone from the cache and, asked, from the API.
    await provider.sync(new Map(), [nodes.get(kept) as Node]);
    expect([...containers.values()].map((c) => c.Labels[CONTAINER_LABEL])).toEqual(['boxes-zzzzz']);
    expect(api).toEqual([`delete ${kept}`]);
    expect(nodes.has(kept)).toBe(false);
  });
});
