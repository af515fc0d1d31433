// The event recorder writes several Events at a time, repeats of one Event in order (so counts
// add up), and drops Events past its queue bound instead of holding them all.
import type { KubeObject } from '@keelson/api';
import { EventRecorder } from '../src/event-recorder';

/** An API that answers when told to: each create/patch waits until `release()`. */
class SlowApi {
  readonly creates: KubeObject[] = [];
  readonly patches: { name: string; body: Record<string, unknown> }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private waiting: (() => void)[] = [];

  private async answer(): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise<void>((r) => this.waiting.push(r));
    this.inFlight--;
  }

  release(): void {
    for (const r of this.waiting.splice(0)) r();
  }

  create = async (_r: unknown, obj: KubeObject): Promise<KubeObject> => {
    await this.answer();
    this.creates.push(obj);
    return obj;
  };

  patch = async (_r: unknown, _ns: string | undefined, name: string, body: Record<string, unknown>): Promise<KubeObject> => {
    await this.answer();
    this.patches.push({ name, body });
    return { apiVersion: 'v1', kind: 'Event', metadata: { name } };
  };
}

const pod = (i: number): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'ns', uid: `u${i}`, resourceVersion: '7' } });
const tick = () => new Promise((r) => setImmediate(r));

async function drain(api: SlowApi, rec: EventRecorder): Promise<void> {
  let done = false;
  const flushed = rec.flush().then(() => { done = true; });
  while (!done) {
    await tick();
    api.release();
  }
  await flushed;
}

test('Events about different objects are written several at a time, up to maxInFlight', async () => {
  const api = new SlowApi();
  const rec = new EventRecorder({ client: api as never, component: 'test', maxInFlight: 4 });
  for (let i = 0; i < 10; i++) rec.event(pod(i), 'Normal', 'Created', `created p${i}`);
  await tick();
  expect(api.inFlight).toBe(4);
  await drain(api, rec);
  expect(api.maxInFlight).toBe(4);
  expect(api.creates.map((e) => (e.involvedObject as { name: string }).name).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `p${i}`).sort());
  expect(api.creates[0].involvedObject).toEqual({ apiVersion: 'v1', kind: 'Pod', name: expect.any(String), namespace: 'ns', uid: expect.any(String), resourceVersion: '7' });
});

test('repeats of one Event wait for the one before: one create, then count 2 and 3', async () => {
  const api = new SlowApi();
  const rec = new EventRecorder({ client: api as never, component: 'test', maxInFlight: 8 });
  for (let i = 0; i < 3; i++) rec.event(pod(1), 'Warning', 'Failed', 'same');
  await tick();
  expect(api.inFlight).toBe(1);
  await drain(api, rec);
  expect(api.creates).toHaveLength(1);
  expect(api.patches.map((p) => p.body.count)).toEqual([2, 3]);
});

test('past maxQueued waiting Events, new ones are dropped and counted; flush still ends', async () => {
  const api = new SlowApi();
  const rec = new EventRecorder({ client: api as never, component: 'test', maxInFlight: 2, maxQueued: 5 });
  for (let i = 0; i < 20; i++) rec.event(pod(i), 'Normal', 'Created', `created p${i}`);
  // Two went out at once; five wait; thirteen were dropped.
  expect(rec.dropped()).toBe(13);
  await drain(api, rec);
  expect(api.creates).toHaveLength(7);
});

test('flush with nothing recorded resolves at once', async () => {
  const rec = new EventRecorder({ client: new SlowApi() as never, component: 'test' });
  await expect(rec.flush()).resolves.toBeUndefined();
});
