// Where an etcd watch resumes after its stream reconnects: etcd3 alone would resume from the
// last response header's revision + 1, which is etcd's current revision, ahead of history the
// watcher has not received yet; pinned, it resumes right after what the caller applied.
import type { IWatchResponse, Watcher } from 'etcd3';
import { pinWatchResume } from '../src/watch-resume';
import { closeFixture, etcdFixture, uniquePrefix, waitFor, type EtcdFixture } from './fixtures';

jest.setTimeout(30_000);
let f: EtcdFixture;
beforeAll(async () => {
  f = await etcdFixture();
});
afterAll(() => closeFixture(f));

/** A watcher from `from` over a history of `n` puts; records where etcd3 would resume at 'connected' and after each 'data'. */
async function watchHistory(pin: boolean): Promise<{ from: number; last: number; atConnected: number; afterData: number[]; applied: () => number }> {
  const prefix = uniquePrefix();
  const first = await f.client.put(`${prefix}k0`).value('v').exec();
  const from = Number(first.header.revision);
  for (let i = 1; i < 30; i++) await f.client.put(`${prefix}k${i}`).value('v').exec();
  const last = from + 29;
  await f.client.put('/unrelated').value('x').exec(); // etcd's current revision is now past the watched history
  let applied = from - 1;
  let atConnected = 0;
  const afterData: number[] = [];
  const w: Watcher = await new Promise((resolve) => {
    const watcher = f.client.watch().prefix(prefix).startRevision(String(from)).watcher();
    watcher.on('data', (res: IWatchResponse) => {
      for (const ev of res.events) applied = Math.max(applied, Number(ev.kv.mod_revision));
    });
    if (pin) pinWatchResume(watcher, () => applied + 1);
    watcher.on('connected', () => {
      atConnected = Number((watcher.request as { start_revision?: string }).start_revision);
      resolve(watcher);
    });
    watcher.on('data', () => afterData.push(Number((watcher.request as { start_revision?: string }).start_revision)));
  });
  await waitFor(() => applied >= last);
  await w.cancel();
  return { from, last, atConnected, afterData, applied: () => applied };
}

test('etcd3 alone would resume past history not yet delivered (the header revision is etcd\'s current one)', async () => {
  const r = await watchHistory(false);
  expect(r.atConnected).toBeGreaterThan(r.from); // a reconnect now would skip [from, atConnected)
});

test('pinned: a reconnect at any point resumes right after the last revision applied', async () => {
  const r = await watchHistory(true);
  expect(r.atConnected).toBe(r.from); // nothing applied yet: from the start
  expect(r.afterData.length).toBeGreaterThan(0);
  expect(r.afterData[r.afterData.length - 1]).toBe(r.last + 1);
  expect(r.applied()).toBe(r.last);
});
