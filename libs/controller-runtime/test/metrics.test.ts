// The controller metrics a scrape shows, under client-go's and controller-runtime's names.
import { createLogger } from '@keelson/telemetry';
import { Controller, RuntimeMetrics, WorkQueue, type Reconciler } from '@keelson/controller-runtime';
import { parsePrometheusText, sampleSum } from '@keelson/testing';

const scrape = async (m: RuntimeMetrics) => parsePrometheusText(await m.registry.metrics());
const quiet = createLogger('test', { write: () => undefined });

test('a work queue reports depth, adds, retries, time queued, time worked and unfinished work', async () => {
  const m = new RuntimeMetrics();
  const q = new WorkQueue({ metrics: m.queue('pods') });
  let f = await scrape(m);
  expect([sampleSum(f, 'workqueue_depth', { name: 'pods' }), sampleSum(f, 'workqueue_adds_total', { name: 'pods' }), sampleSum(f, 'workqueue_retries_total', { name: 'pods' })]).toEqual([0, 0, 0]);
  q.add('a');
  q.add('b');
  q.add('a'); // already queued: an add, not a second item
  f = await scrape(m);
  expect(sampleSum(f, 'workqueue_adds_total', { name: 'pods' })).toBe(3);
  expect(sampleSum(f, 'workqueue_depth', { name: 'pods' })).toBe(2);
  const item = await q.get();
  f = await scrape(m);
  expect(sampleSum(f, 'workqueue_depth', { name: 'pods' })).toBe(1);
  expect(sampleSum(f, 'workqueue_queue_duration_seconds_count', { name: 'pods' })).toBe(1);
  expect(sampleSum(f, 'workqueue_work_duration_seconds_count', { name: 'pods' }) ?? 0).toBe(0);
  // One key in a worker's hands: unfinished work is counted until done.
  expect(f.get('workqueue_unfinished_work_seconds')!.samples).toEqual([expect.objectContaining({ labels: { name: 'pods' } })]);
  expect(sampleSum(f, 'workqueue_longest_running_processor_seconds', { name: 'pods' })).toBeGreaterThanOrEqual(0);
  q.addRateLimited(item!.key);
  q.done(item!.key);
  f = await scrape(m);
  expect(sampleSum(f, 'workqueue_work_duration_seconds_count', { name: 'pods' })).toBe(1);
  expect(sampleSum(f, 'workqueue_retries_total', { name: 'pods' })).toBe(1);
  expect(sampleSum(f, 'workqueue_unfinished_work_seconds', { name: 'pods' })).toBe(0);
  q.shutDown();
});

test('a controller counts reconciles by result, their time, and errors', async () => {
  const m = new RuntimeMetrics();
  const tries = new Map<string, number>();
  const reconciler: Reconciler = {
    async reconcile(key) {
      tries.set(key, (tries.get(key) ?? 0) + 1);
      if (key === 'bad' && tries.get(key) === 1) throw new Error('not yet'); // fails once, then succeeds
      return key === 'later' ? { requeueAfter: 60_000 } : undefined;
    },
  };
  const c = new Controller({ name: 'stamper', reconciler, metrics: m, logger: quiet });
  expect(sampleSum(await scrape(m), 'controller_runtime_reconcile_errors_total', { controller: 'stamper' })).toBe(0);
  c.start();
  c.enqueue('ok');
  c.enqueue('later');
  c.enqueue('bad');
  for (let i = 0; i < 200 && sampleSum(await scrape(m), 'controller_runtime_reconcile_total', { controller: 'stamper', result: 'success' }) !== 2; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  await c.pause();
  const f = await scrape(m);
  expect(sampleSum(f, 'controller_runtime_reconcile_total', { controller: 'stamper', result: 'success' })).toBe(2); // ok, then bad
  expect(sampleSum(f, 'controller_runtime_reconcile_total', { controller: 'stamper', result: 'requeue' })).toBe(1);
  expect(sampleSum(f, 'controller_runtime_reconcile_total', { controller: 'stamper', result: 'error' })).toBe(1);
  expect(sampleSum(f, 'controller_runtime_reconcile_errors_total', { controller: 'stamper' })).toBe(1);
  expect(sampleSum(f, 'controller_runtime_reconcile_time_seconds_count', { controller: 'stamper' })).toBe(4);
  expect(sampleSum(f, 'workqueue_retries_total', { name: 'stamper' })).toBe(1);
  c.queue.shutDown();
});
