// The controller builder without servers: fake informers (the BuilderHost), real Controllers
// and work queues. Each source must turn events into the right keys, with the event's trace.
import type { KubeObject } from '@keelson/api';
import type { ResourceRef } from '@keelson/client';
import { createLogger } from '@keelson/telemetry';
import { Controller, ControllerBuilder, type EventInfo, type ResourceEventHandler } from '@keelson/controller-runtime';

const DEPLOYMENTS: ResourceRef = { group: 'apps', version: 'v1', resource: 'deployments' };
const REPLICASETS: ResourceRef = { group: 'apps', version: 'v1', resource: 'replicasets' };
const NODES: ResourceRef = { group: '', version: 'v1', resource: 'nodes' };
const quiet = createLogger('test', { write: () => undefined });
const TP = `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01`;
const info = (traceparent?: string): EventInfo => ({ revision: 1, traceparent });

/** Informers by resource (and namespace), each recording its handlers; controllers as built. */
function fakeHost() {
  const handlers = new Map<string, ResourceEventHandler[]>();
  const controllers: Controller[] = [];
  const keyOf = (r: ResourceRef, ns?: string) => `${r.group}/${r.resource}/${ns ?? ''}`;
  return {
    controllers,
    host: {
      informer: (r: ResourceRef, ns?: string) => {
        const list = handlers.get(keyOf(r, ns)) ?? [];
        handlers.set(keyOf(r, ns), list);
        return { addEventHandler: (h: ResourceEventHandler) => list.push(h) } as never;
      },
      newController: (opts: ConstructorParameters<typeof Controller>[0]) => {
        const c = new Controller({ ...opts, logger: quiet });
        controllers.push(c);
        return c;
      },
    },
    /** Delivers an event to every handler of the resource. */
    emit(r: ResourceRef, type: 'add' | 'update' | 'delete', obj: KubeObject, i: EventInfo = info(), old?: KubeObject, ns?: string) {
      for (const h of handlers.get(keyOf(r, ns)) ?? []) {
        if (type === 'add') h.onAdd?.(obj, i);
        else if (type === 'update') h.onUpdate?.(old ?? obj, obj, i);
        else h.onDelete?.(obj, i);
      }
    },
    count: (r: ResourceRef, ns?: string) => handlers.get(keyOf(r, ns))?.length ?? 0,
  };
}

/** Reconciles every key it is given, recording them (and their order). */
function recorder() {
  const seen: string[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  return {
    seen,
    reconciler: {
      async reconcile(key: string) {
        seen.push(key);
        for (const w of waiters.filter((x) => seen.length >= x.n)) w.resolve();
      },
    },
    until: (n: number) => (seen.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }))),
  };
}

const obj = (kind: string, name: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject =>
  ({ apiVersion: 'apps/v1', kind, metadata: { name, namespace: 'ns', uid: `${name}-uid`, ...extra } });
const ownedBy = (name: string, kind = 'Deployment', controller = true) =>
  ({ ownerReferences: [{ apiVersion: 'apps/v1', kind, name, uid: `${name}-uid`, controller }] });

let running: Controller[] = [];
afterEach(async () => {
  await Promise.all(running.map((c) => c.stop()));
  running = [];
});

test("for() queues the object's own key; owns() its controlling owner of the for() kind, nothing else", async () => {
  const f = fakeHost();
  const r = recorder();
  const c = new ControllerBuilder('deployment', f.host).for(DEPLOYMENTS).owns(REPLICASETS).complete(r.reconciler);
  running.push(c);
  f.emit(DEPLOYMENTS, 'add', obj('Deployment', 'web'));
  f.emit(REPLICASETS, 'add', obj('ReplicaSet', 'web-1', ownedBy('api')));
  f.emit(REPLICASETS, 'add', obj('ReplicaSet', 'stray', ownedBy('other', 'Deployment', false))); // not the controller
  f.emit(REPLICASETS, 'add', obj('ReplicaSet', 'foreign', ownedBy('x', 'StatefulSet'))); // another kind
  c.start();
  await r.until(2);
  await c.stop();
  expect(r.seen.sort()).toEqual(['ns/api', 'ns/web']);
});

test('the trace of the triggering event rides with the key', () => {
  const f = fakeHost();
  const c = new ControllerBuilder('deployment', f.host).for(DEPLOYMENTS).complete(recorder().reconciler);
  running.push(c);
  const added: [string, string | undefined][] = [];
  const add = c.queue.add.bind(c.queue);
  c.queue.add = (key, meta) => {
    added.push([key, meta?.traceparent]);
    add(key, meta);
  };
  f.emit(DEPLOYMENTS, 'add', obj('Deployment', 'a'), info(TP));
  // Without an event header, the object's keelson.dev/traceparent annotation.
  f.emit(DEPLOYMENTS, 'add', obj('Deployment', 'b', { annotations: { 'keelson.dev/traceparent': TP } }));
  expect(added).toEqual([['ns/a', TP], ['ns/b', TP]]);
});

test('watches(map) queues every key the map names, for the old and the new object of an update', async () => {
  const f = fakeHost();
  const r = recorder();
  const c = new ControllerBuilder('node-lifecycle', f.host)
    .watches(NODES, (n) => [`zone-${n.metadata.labels?.zone}`, `node-${n.metadata.name}`])
    .watches(DEPLOYMENTS, () => undefined) // maps to nothing
    .complete(r.reconciler);
  running.push(c);
  const node = (zone: string): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { zone } } });
  f.emit(NODES, 'update', node('b'), info(), node('a'));
  f.emit(DEPLOYMENTS, 'add', obj('Deployment', 'ignored'));
  c.start();
  await r.until(3);
  await c.stop();
  expect(r.seen.sort()).toEqual(['node-n1', 'zone-a', 'zone-b']);
});

test('watches in one namespace use that namespace\'s informer', () => {
  const f = fakeHost();
  running.push(new ControllerBuilder('x', f.host).watches(NODES, (o) => o.metadata.name, { namespace: 'kube-node-lease' }).complete(recorder().reconciler));
  expect(f.count(NODES, 'kube-node-lease')).toBe(1);
  expect(f.count(NODES)).toBe(0);
});

test('the queue works before complete(), and a reconciler built from it can queue later work', async () => {
  const f = fakeHost();
  const r = recorder();
  const b = new ControllerBuilder('gc', f.host).withOptions({ concurrency: 2 });
  // Something built before the controller exists (a dependency graph) queues a key.
  b.queue.enqueue('early');
  const c = b.complete((queue) => ({
    async reconcile(key, ctx) {
      await r.reconciler.reconcile(key);
      if (key === 'early') queue.enqueueAfter('from-factory-queue', 5);
      if (key === 'from-factory-queue') ctx.enqueue('from-context');
      if (key === 'from-context') ctx.enqueueAfter('from-context-later', 5);
    },
  }));
  running.push(c);
  c.start();
  await r.until(4);
  await c.stop();
  expect(r.seen).toEqual(['early', 'from-factory-queue', 'from-context', 'from-context-later']);
});

test('misuse fails loudly when declared, not as lost events later', () => {
  const f = fakeHost();
  expect(() => new ControllerBuilder('a', f.host).owns(REPLICASETS).complete(recorder().reconciler)).toThrow('owns() needs for() with a known kind');
  expect(() => new ControllerBuilder('b', f.host).for(DEPLOYMENTS).for(REPLICASETS)).toThrow('for() may be called only once');
  const b = new ControllerBuilder('c', f.host).for(DEPLOYMENTS);
  running.push(b.complete(recorder().reconciler));
  expect(() => b.watches(NODES, () => 'k')).toThrow('before complete()');
  expect(() => b.complete(recorder().reconciler)).toThrow('only once');
  // A custom resource's kind is given, since it is not built in.
  const widgets: ResourceRef = { group: 'example.com', version: 'v1', resource: 'widgets' };
  running.push(new ControllerBuilder('d', f.host).for(widgets, { kind: 'Widget' }).owns(REPLICASETS).complete(recorder().reconciler));
  expect(f.count(REPLICASETS)).toBe(1);
});
