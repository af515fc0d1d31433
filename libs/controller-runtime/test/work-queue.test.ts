// Work queue and controller guarantees, with real timers.
import { createLogger } from '@keelson/telemetry';
import { BucketRateLimiter, Controller, ItemExponentialRateLimiter, WorkQueue, type Reconciler } from '@keelson/controller-runtime';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('per-key back-off doubles from 5 ms and is capped; forget resets it', () => {
  const rl = new ItemExponentialRateLimiter(5, 1_000_000);
  expect([1, 2, 3, 4, 5].map(() => rl.when('a'))).toEqual([5, 10, 20, 40, 80]);
  expect(rl.when('b')).toBe(5); // per key
  for (let i = 0; i < 40; i++) rl.when('a');
  expect(rl.when('a')).toBe(1_000_000); // 1000 s cap
  rl.forget('a');
  expect(rl.when('a')).toBe(5);
});

test('the overall bucket allows a burst of 100, then 10 per second', () => {
  let now = 0;
  const b = new BucketRateLimiter(10, 100, () => now);
  for (let i = 0; i < 100; i++) expect(b.when()).toBe(0);
  expect(b.when()).toBeCloseTo(100);
  expect(b.when()).toBeCloseTo(200);
  now = 1000; // 10 tokens back: pays off the two reservations, leaves 8
  for (let i = 0; i < 8; i++) expect(b.when()).toBe(0);
  expect(b.when()).toBeCloseTo(100);
});

test('a failing key comes back after 5, 10, 20, 40 ms', async () => {
  // Fake timers: the back-off is asserted exactly, not against a loaded machine's wall clock.
  jest.useFakeTimers();
  const q = new WorkQueue();
  try {
    q.add('k');
    let item = await q.get();
    for (const delay of [5, 10, 20, 40]) {
      q.done(item!.key);
      q.addRateLimited('k');
      let got: Awaited<ReturnType<typeof q.get>> | undefined;
      void q.get().then((i) => (got = i));
      await jest.advanceTimersByTimeAsync(delay - 1);
      expect(got).toBeUndefined(); // not before its back-off
      await jest.advanceTimersByTimeAsync(1);
      expect(got?.key).toBe('k'); // and as soon as it has passed
      item = got;
    }
  } finally {
    q.shutDown();
    jest.useRealTimers();
  }
});

test('a key added while queued is handed out once (dedupe), newest trace is the parent and earlier ones links', async () => {
  const q = new WorkQueue();
  q.add('a', { traceparent: 'tp1' });
  q.add('b');
  q.add('a', { traceparent: 'tp2' });
  q.add('a');
  q.add('a', { traceparent: 'tp2' });
  expect(q.len()).toBe(2);
  expect(await q.get()).toEqual({ key: 'a', meta: { traceparent: 'tp2', links: ['tp1'] } });
  expect((await q.get())!.key).toBe('b');
  expect(q.len()).toBe(0);
  q.shutDown();
});

test('a key added while processing is not handed out until done, then runs again', async () => {
  const q = new WorkQueue();
  q.add('a');
  const first = await q.get();
  q.add('a');
  expect(q.len()).toBe(0); // not queued while in flight
  let second: string | undefined;
  void q.get().then((i) => (second = i?.key));
  await sleep(5);
  expect(second).toBeUndefined();
  q.done(first!.key);
  await sleep(1);
  expect(second).toBe('a');
  q.shutDown();
});

test('a controller never reconciles one key twice at once, with 8 workers', async () => {
  const active = new Set<string>();
  let overlaps = 0;
  let runs = 0;
  const reconciler: Reconciler = {
    async reconcile(key) {
      if (active.has(key)) overlaps++;
      active.add(key);
      runs++;
      await sleep(2);
      active.delete(key);
    },
  };
  const c = new Controller({ name: 'overlap', reconciler, concurrency: 8 });
  c.start();
  for (let round = 0; round < 50; round++) {
    for (const k of ['a', 'b', 'c']) c.enqueue(k);
    await sleep(1);
  }
  await c.stop();
  expect(overlaps).toBe(0);
  expect(runs).toBeGreaterThanOrEqual(3);
});

test('a thrown error retries with back-off; requeueAfter comes back; success forgets', async () => {
  const seen: number[] = [];
  let calls = 0;
  // Waits for the fifth reconcile (not a wall-clock sleep: a loaded machine may take longer).
  let fifth!: () => void;
  const reachedFifth = new Promise<void>((resolve) => { fifth = resolve; });
  const reconciler: Reconciler = {
    async reconcile(_key, ctx) {
      calls++;
      seen.push(ctx.requeues);
      if (calls <= 3) throw new Error('boom');
      if (calls === 4) return { requeueAfter: 10 };
      fifth();
    },
  };
  const c = new Controller({ name: 'retry', reconciler, logger: quietLogger() });
  c.start();
  c.enqueue('x');
  await reachedFifth;
  await sleep(50); // a sixth (unexpected) reconcile would show up here
  await c.stop();
  expect(calls).toBe(5);
  expect(seen).toEqual([0, 1, 2, 3, 0]);
});

test('shutdown drains: every queued key is processed, then workers end and adds are ignored', async () => {
  const done: string[] = [];
  const c = new Controller({ name: 'drain', concurrency: 2, reconciler: { async reconcile(key) { await sleep(5); done.push(key); } } });
  c.start();
  for (let i = 0; i < 20; i++) c.enqueue(`k${i}`);
  await c.stop();
  expect(done.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `k${i}`).sort());
  c.enqueue('late');
  await sleep(10);
  expect(done).not.toContain('late');
});

test('pause aborts in-flight reconciles at once and keeps their keys for a later resume', async () => {
  const started: string[] = [];
  const finished: string[] = [];
  const c = new Controller({
    name: 'pause',
    reconciler: {
      async reconcile(key, ctx) {
        started.push(key);
        // Never ends unless aborted: pause() returns only if it aborted this reconcile.
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
        if (!ctx.signal.aborted) finished.push(key);
      },
    },
  });
  c.start();
  c.enqueue('a');
  await sleep(5);
  await c.pause();
  expect(started).toEqual(['a']);
  expect(finished).toEqual([]);
  expect(c.queue.len()).toBe(1); // 'a' queued again
  c.queue.shutDown();
});

function quietLogger() {
  return createLogger('test', { write: () => undefined });
}

test('a resync (background) add never hides the traced write that queued the key', async () => {
  const q = new WorkQueue();
  q.add('a', { traceparent: 'tp1' });
  q.add('a', { background: true });
  q.add('b', { background: true });
  expect(await q.get()).toEqual({ key: 'a', meta: { traceparent: 'tp1' } });
  expect(await q.get()).toEqual({ key: 'b', meta: { background: true } });
  q.add('c', { background: true });
  q.add('c', { traceparent: 'tp3' });
  expect(await q.get()).toEqual({ key: 'c', meta: { traceparent: 'tp3' } });
  q.shutDown();
});

test('leadership lost and regained before in-flight reconciles wound down: the next pause still waits for the new workers', async () => {
  let inFlight = 0;
  const c = new Controller({
    name: 'flap',
    reconciler: {
      async reconcile() {
        inFlight++;
        await sleep(100); // a reconcile that does not watch its signal (an API call under way)
        inFlight--;
      },
    },
  });
  c.start();
  c.enqueue('a');
  await sleep(5);
  const firstPause = c.pause(); // lost the lease: 'a' is still in flight
  c.start(); // regained it at once
  c.enqueue('b');
  await firstPause; // the first generation wound down
  await sleep(5); // 'b' is now in flight on the second generation
  expect(inFlight).toBe(1);
  await c.pause(); // lost again: must wait for 'b'
  expect(inFlight).toBe(0);
  c.queue.shutDown();
});
