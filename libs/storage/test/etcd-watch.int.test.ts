// The project's own etcd watch (etcd-watch.ts: the relay's and the watch caches') against a real etcd, side by side with etcd3's
// watcher on the same changes: the same events in the same order — puts, deletes with their
// previous values, a multi-key transaction, a value of 1 MiB, keys outside the range left out —
// and the watch's ends: a start revision etcd compacted, cancel().
import { Etcd3, type IEvent } from 'etcd3';
import { startEtcd, until, type EtcdServer } from '@keelson/testing';
import { decodeWatchResponse, encodeWatchCreate, openEtcdWatch, WatchCanceledError, type WatchEvent } from '../src/etcd-watch';
import { prefixEnd } from '../src/keys';

const PREFIX = '/registry/core/configmaps/';
const summary = (type: string, key: Buffer, value: Buffer, create: number | string, mod: number | string, prev?: Buffer): string =>
  `${type} ${key.toString()} ${value.length}:${value.subarray(0, 24).toString()} c${create} m${mod} prev=${prev ? prev.subarray(0, 24).toString() : '-'}`;
const ours = (e: WatchEvent): string => summary(e.type, e.kv.key, e.kv.value, e.kv.create_revision, e.kv.mod_revision, e.prev_kv?.value);
const theirs = (e: IEvent): string => summary(e.type === 'Delete' ? 'Delete' : 'Put', e.kv.key, e.kv.value, e.kv.create_revision, e.kv.mod_revision, e.prev_kv?.value);

describe('the etcd watch', () => {
  jest.setTimeout(60_000);
  let etcd: EtcdServer;
  let client: Etcd3;
  beforeAll(async () => {
    etcd = await startEtcd();
    client = new Etcd3(etcd.clientOptions);
  });
  afterAll(async () => {
    client?.close();
    await etcd?.stop();
  });

  test('sees what etcd3 sees, in order, from a start revision', async () => {
    await client.put(`${PREFIX}default/before`).value('{"v":0}');
    const from = Number((await client.put(`${PREFIX}default/first`).value('{"v":1}').exec()).header.revision);
    const mine: string[] = [];
    const revisions: number[] = [];
    let ended: Error | undefined;
    const w = await openEtcdWatch(client, Buffer.from(PREFIX), prefixEnd(PREFIX), from, {
      onEvents: (events, revision) => {
        mine.push(...events.map(ours));
        revisions.push(revision);
      },
      onEnd: (err) => void (ended = err),
    });
    const reference: string[] = [];
    const watcher = await client.watch().prefix(PREFIX).withPreviousKV().startRevision(String(from)).create();
    watcher.on('data', (res) => reference.push(...res.events.map(theirs)));

    await client.put(`${PREFIX}default/first`).value('{"v":2}');
    await client.put('/registry/core/secrets/default/outside').value('{"not":"watched"}');
    await client.if(`${PREFIX}default/first`, 'Value', '==', '{"v":2}')
      .then(client.put(`${PREFIX}default/txn-a`).value('{"t":"a"}'), client.put(`${PREFIX}other/txn-b`).value('{"t":"b"}'), client.delete().key(`${PREFIX}default/before`))
      .commit();
    const big = `{"data":"${'x'.repeat(1024 * 1024)}"}`;
    await client.put(`${PREFIX}default/big`).value(big);
    await client.delete().key(`${PREFIX}default/big`);
    await until('seven events on both watches', () => mine.length === 7 && reference.length === 7, 10_000);
    expect(mine).toEqual(reference);
    expect(mine[0]).toMatch(/^Put \/registry\/core\/configmaps\/default\/first 7:\{"v":1\} /);
    expect(mine.some((e) => e.includes('outside'))).toBe(false);
    expect(mine[5]).toContain(`Put ${PREFIX}default/big ${big.length}:`);
    expect(mine[6]).toMatch(/^Delete .*big 0: c0 m\d+ prev=\{"data":"x/);
    expect(revisions.every((r, i) => i === 0 || r >= revisions[i - 1])).toBe(true);
    expect(ended).toBeUndefined();

    w.cancel();
    await client.put(`${PREFIX}default/after-cancel`).value('{}');
    await until("etcd3's watcher to see the put after cancel", () => reference.length === 8, 10_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(mine).toHaveLength(7);
    expect(ended).toBeUndefined(); // cancel() is not an end it reports
    await watcher.cancel();
  });

  test('a start revision etcd compacted ends the watch, naming the compaction', async () => {
    const old = Number((await client.put(`${PREFIX}default/c`).value('1').exec()).header.revision);
    const now = Number((await client.put(`${PREFIX}default/c`).value('2').exec()).header.revision);
    await client.kv.compact({ revision: String(now), physical: true });
    let ended: Error | undefined;
    const events: WatchEvent[] = [];
    await openEtcdWatch(client, Buffer.from(PREFIX), prefixEnd(PREFIX), old, { onEvents: (e) => void events.push(...e), onEnd: (err) => void (ended = err) });
    await until('the watch to end', () => ended !== undefined, 10_000);
    expect(ended).toBeInstanceOf(WatchCanceledError);
    expect((ended as WatchCanceledError).compactRevision).toBe(now);
    expect(ended!.message).toMatch(/required revision has been compacted \(compact revision \d+\)/);
    expect(events).toEqual([]);
  });

  test('asked for progress, an idle watch learns etcd\'s revision; unasked, it hears nothing without events', async () => {
    const range = `${PREFIX}idle/`;
    const from = Number((await client.put('/elsewhere').value('x').exec()).header.revision) + 1;
    const progress: number[] = [];
    const silent: number[] = [];
    const ends: Error[] = [];
    const asked = await openEtcdWatch(client, Buffer.from(range), prefixEnd(range), from, { onEvents: () => undefined, onProgress: (r) => void progress.push(r), onEnd: (e) => void ends.push(e) });
    const unasked = await openEtcdWatch(client, Buffer.from(range), prefixEnd(range), from, { onEvents: (e) => void silent.push(e.length), onEnd: (e) => void ends.push(e) });
    const target = Number((await client.put('/elsewhere').value('y').exec()).header.revision);
    await until('a progress notification at or past the write outside the range', () => progress.some((r) => r >= target), 10_000);
    expect(silent).toEqual([]);
    expect(ends).toEqual([]);
    asked.cancel();
    unasked.cancel();
  });

  test('the codec: a create request etcd reads; varints beyond 32 bits; truncated input refused', () => {
    const req = encodeWatchCreate(Buffer.from('/a'), Buffer.from('/b'), 2 ** 40 + 5);
    // WatchRequest{1: WatchCreateRequest{1:"/a", 2:"/b", 3: 2^40+5, 6: true}}
    expect([...req.subarray(0, 2)]).toEqual([0x0a, req.length - 2]);
    const res = decodeWatchResponse(Buffer.from([0x0a, 0x07, 0x18, 0x85, 0x80, 0x80, 0x80, 0x80, 0x20, 0x18, 0x01]));
    expect(res.revision).toBe(2 ** 40 + 5);
    expect(res.created).toBe(true);
    expect(() => decodeWatchResponse(Buffer.from([0x0a, 0x07, 0x18, 0x85]))).toThrow(/truncated/);
  });
});
