// What a node's heartbeat costs the API (NodeAgent against an in-memory API with the store's
// resourceVersion rules): the Lease is renewed with one PUT from the copy the last write
// returned, read again only after a conflict; NodeStatus is written when it changed (a
// condition the lifecycle controller set Unknown) or when the report period has passed, not on
// every status period; a deleted Node is registered again.
import { errors } from '@keelson/api';
import { createLogger } from '@keelson/telemetry';
import { NodeAgent, statusSignature, type NodeSource } from '../src/node-agent';
import type { Node, NodeCondition } from '../src/types';

type Obj = { metadata: { name: string; namespace?: string; resourceVersion?: string; uid?: string; [k: string]: unknown }; [k: string]: unknown };
type Ref = { resource: string };

/** Nodes and Leases by name, each write bumping a global revision; calls recorded as `VERB resource[/sub]`. */
function fakeApi() {
  const store = new Map<string, Obj>();
  const calls: string[] = [];
  /** Requests (by `VERB resource`) that fail once like a request the client gave up on. */
  const timeouts = new Set<string>();
  let rev = 1;
  const k = (r: Ref, name: string): string => `${r.resource}/${name}`;
  const put = (r: Ref, o: Obj): Obj => {
    const stored = structuredClone({ ...o, metadata: { ...o.metadata, resourceVersion: String(++rev), uid: o.metadata.uid ?? `uid-${o.metadata.name}-${rev}` } });
    store.set(k(r, o.metadata.name), stored);
    return structuredClone(stored);
  };
  const client = {
    async get(r: Ref, _ns: string | undefined, name: string): Promise<Obj> {
      calls.push(`GET ${r.resource}`);
      const o = store.get(k(r, name));
      if (!o) throw errors.notFound(r.resource, name);
      return structuredClone(o);
    },
    async create(r: Ref, o: Obj): Promise<Obj> {
      calls.push(`POST ${r.resource}`);
      if (store.has(k(r, o.metadata.name))) throw errors.alreadyExists(r.resource, o.metadata.name);
      return put(r, o);
    },
    async update(r: Ref, o: Obj): Promise<Obj> {
      calls.push(`PUT ${r.resource}`);
      if (timeouts.delete(`PUT ${r.resource}`)) throw new Error('request timed out after 30000 ms');
      const cur = store.get(k(r, o.metadata.name));
      if (!cur) throw errors.notFound(r.resource, o.metadata.name);
      if (cur.metadata.resourceVersion !== o.metadata.resourceVersion) throw errors.conflict(r.resource, o.metadata.name, 'the object has been modified');
      return put(r, { ...o, metadata: { ...o.metadata, uid: cur.metadata.uid } });
    },
    async patch(r: Ref, _ns: string | undefined, name: string, body: { status?: Record<string, unknown>; metadata?: Record<string, unknown> }, opts: { subresource?: string } = {}): Promise<Obj> {
      calls.push(`PATCH ${r.resource}${opts.subresource ? `/${opts.subresource}` : ''}`);
      const cur = store.get(k(r, name));
      if (!cur) throw errors.notFound(r.resource, name);
      const next = { ...cur, metadata: { ...cur.metadata, ...(body.metadata ?? {}) }, ...(body.status ? { status: { ...(cur.status as object), ...body.status } } : {}) };
      return put(r, next);
    },
  };
  return { client, store, calls, timeouts, rev: () => rev };
}

const identity = { name: 'n1', address: '127.0.0.1', kubeletPort: 10250, runtime: 'simulated' as const, capacity: { cpu: '4', memory: '8Gi', pods: '110' }, allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, labels: {}, taints: [] };

function agentOn(api: ReturnType<typeof fakeApi>, opts: { reportMs?: number; source?: NodeSource } = {}): NodeAgent {
  const source: NodeSource = opts.source ?? { hasSynced: () => true, get: (name) => structuredClone(api.store.get(`nodes/${name}`)) as Node | undefined };
  return new NodeAgent({
    client: api.client as never, identity, log: createLogger('test', { write: () => undefined }),
    leaseDurationSeconds: 40, leaseRenewMs: 10_000, statusUpdateMs: 10_000, statusReportMs: opts.reportMs ?? 300_000, nodes: source,
  });
}

const since = (calls: string[], from: number, what: string): number => calls.slice(from).filter((c) => c === what).length;

beforeEach(() => jest.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00Z') }));
afterEach(() => jest.useRealTimers());

test('the Lease is renewed with one PUT per period from the last write; a conflict reads it again', async () => {
  const api = fakeApi();
  const agent = agentOn(api);
  await agent.start();
  expect(api.calls).toEqual(['POST nodes', 'GET leases', 'POST leases']);

  const mark = api.calls.length;
  await jest.advanceTimersByTimeAsync(30_000);
  expect(since(api.calls, mark, 'PUT leases')).toBe(3);
  expect(since(api.calls, mark, 'GET leases')).toBe(0);
  const lease = api.store.get('leases/n1')!;
  expect((lease.spec as { renewTime: string }).renewTime).toBe('2026-01-01T00:00:30.000000Z');

  // Someone else wrote the Lease: the cached copy is stale, the renewal reads it and succeeds.
  api.store.set('leases/n1', { ...lease, metadata: { ...lease.metadata, resourceVersion: '9999' } });
  const mark2 = api.calls.length;
  await jest.advanceTimersByTimeAsync(10_000);
  expect(api.calls.slice(mark2).filter((c) => c.endsWith('leases'))).toEqual(['PUT leases', 'GET leases', 'PUT leases']);
  expect((api.store.get('leases/n1')!.spec as { renewTime: string }).renewTime).toBe('2026-01-01T00:00:40.000000Z');
  agent.stop();
});

test('a renewal that timed out keeps the Lease copy: the next one is a PUT again, not a GET first', async () => {
  const api = fakeApi();
  const agent = agentOn(api);
  await agent.start();
  api.timeouts.add('PUT leases');
  const mark = api.calls.length;
  await jest.advanceTimersByTimeAsync(20_000);
  expect(api.calls.slice(mark).filter((c) => c.endsWith('leases'))).toEqual(['PUT leases', 'PUT leases']);
  expect((api.store.get('leases/n1')!.spec as { renewTime: string }).renewTime).toBe('2026-01-01T00:00:20.000000Z');
  agent.stop();
});

test('NodeStatus is written when it changed or the report period passed, not every status period', async () => {
  const api = fakeApi();
  const agent = agentOn(api, { reportMs: 60_000 });
  await agent.start();
  const mark = api.calls.length;
  await jest.advanceTimersByTimeAsync(50_000); // five status periods, nothing changed
  expect(since(api.calls, mark, 'PATCH nodes/status')).toBe(0);
  expect(since(api.calls, mark, 'GET nodes')).toBe(0); // read from the informer

  // The lifecycle controller marked the node Unknown: the next period writes Ready=True back.
  const node = api.store.get('nodes/n1')!;
  const status = node.status as { conditions: NodeCondition[] };
  api.store.set('nodes/n1', { ...node, status: { ...status, conditions: status.conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown' } : c)) } });
  await jest.advanceTimersByTimeAsync(10_000);
  expect(since(api.calls, mark, 'PATCH nodes/status')).toBe(1);
  const ready = (api.store.get('nodes/n1')!.status as { conditions: NodeCondition[] }).conditions.find((c) => c.type === 'Ready')!;
  expect(ready).toMatchObject({ status: 'True', reason: 'KubeletReady', lastHeartbeatTime: '2026-01-01T00:01:00.000Z', lastTransitionTime: '2026-01-01T00:01:00.000Z' });

  // Unchanged since: written again once the report period has passed, with a fresh heartbeat.
  const mark2 = api.calls.length;
  await jest.advanceTimersByTimeAsync(50_000);
  expect(since(api.calls, mark2, 'PATCH nodes/status')).toBe(0);
  await jest.advanceTimersByTimeAsync(10_000);
  expect(since(api.calls, mark2, 'PATCH nodes/status')).toBe(1);
  const after = (api.store.get('nodes/n1')!.status as { conditions: NodeCondition[] }).conditions.find((c) => c.type === 'Ready')!;
  expect(after).toMatchObject({ status: 'True', lastHeartbeatTime: '2026-01-01T00:02:00.000Z', lastTransitionTime: '2026-01-01T00:01:00.000Z' });
  agent.stop();
});

test('a Node deleted while the agent runs is registered again, and its Lease follows the new Node', async () => {
  const api = fakeApi();
  const agent = agentOn(api);
  await agent.start();
  const oldUid = api.store.get('nodes/n1')!.metadata.uid;
  api.store.delete('nodes/n1');
  await jest.advanceTimersByTimeAsync(10_000);
  const node = api.store.get('nodes/n1');
  expect(node).toBeDefined();
  expect(node!.metadata.uid).not.toBe(oldUid);
  await jest.advanceTimersByTimeAsync(10_000);
  const owners = api.store.get('leases/n1')!.metadata.ownerReferences as { uid: string }[];
  expect(owners.map((o) => o.uid)).toEqual([node!.metadata.uid]);
  agent.stop();
});

test('without an informer that has synced, every status period reads the Node', async () => {
  const api = fakeApi();
  const agent = agentOn(api, { source: { hasSynced: () => false, get: () => undefined } });
  await agent.start();
  const mark = api.calls.length;
  await jest.advanceTimersByTimeAsync(20_000);
  expect(since(api.calls, mark, 'GET nodes')).toBe(2);
  expect(since(api.calls, mark, 'PATCH nodes/status')).toBe(0);
  agent.stop();
});

test('the status signature ignores heartbeat times and key order, not a changed condition or field', () => {
  const cond = (status: string, hb: string) => ({ type: 'Ready', status, reason: 'KubeletReady', lastHeartbeatTime: hb, lastTransitionTime: 't0' });
  const a = { capacity: { cpu: '4', memory: '8Gi' }, conditions: [cond('True', 'h1')] };
  const b = { conditions: [{ ...cond('True', 'h2') }], capacity: { memory: '8Gi', cpu: '4' } };
  expect(statusSignature(a)).toBe(statusSignature(b));
  expect(statusSignature(a)).not.toBe(statusSignature({ ...b, conditions: [cond('Unknown', 'h2')] }));
  expect(statusSignature(a)).not.toBe(statusSignature({ ...b, capacity: { cpu: '8', memory: '8Gi' } }));
  // Fields the kubelet does not write are not compared.
  expect(statusSignature({ ...a, images: ['x'] }, Object.keys(a))).toBe(statusSignature(a));
});

test('a phase spreads the heartbeats of nodes hosted together over the period', async () => {
  const api = fakeApi();
  const agent = new NodeAgent({
    client: api.client as never, identity, log: createLogger('test', { write: () => undefined }),
    leaseDurationSeconds: 40, leaseRenewMs: 10_000, statusUpdateMs: 10_000, statusReportMs: 300_000, phase: 0.25,
    nodes: { hasSynced: () => true, get: (name) => structuredClone(api.store.get(`nodes/${name}`)) as Node | undefined },
  });
  await agent.start();
  const renewTime = () => (api.store.get('leases/n1')!.spec as { renewTime: string }).renewTime;
  expect(renewTime()).toBe('2026-01-01T00:00:00.000000Z'); // the renewal at start is not delayed
  const mark = api.calls.length;
  await jest.advanceTimersByTimeAsync(2_499);
  expect(since(api.calls, mark, 'PUT leases')).toBe(0);
  await jest.advanceTimersByTimeAsync(1); // a quarter of the period in
  expect(since(api.calls, mark, 'PUT leases')).toBe(1);
  expect(renewTime()).toBe('2026-01-01T00:00:02.500000Z');
  await jest.advanceTimersByTimeAsync(20_000); // then a full period apart
  expect(since(api.calls, mark, 'PUT leases')).toBe(3);
  expect(renewTime()).toBe('2026-01-01T00:00:22.500000Z');
  agent.stop();
});
