// The relay on its own worker thread (relay/thread.ts), driven as the gateway drives it, against
// real etcd and NATS: events reach the stream (a Secret encrypted at rest too: the worker has the
// encryption keys), status, the compaction floor and publish latencies come back to the calling
// thread, a worker that dies is started again and resumes without a gap, and stop() revokes the lease.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { Etcd3 } from 'etcd3';
import { connect, type NatsConnection } from 'nats';
import { DEFAULT_STREAM_LIMITS } from '@keelson/bus';
import { encryptionConfigYaml, newEncryptionKey } from '@keelson/local';
import { encodeObject, etcdConnectionFromEnv, installEncryption, loadEncryptionConfig } from '@keelson/storage';
import { createLogger } from '@keelson/telemetry';
import { startEtcd, startNats, type EtcdServer, type NatsServer } from '@keelson/testing';
import type { RelayHandle } from '../src/relay';
import { startRelayThread } from '../src/relay/thread';
import { LEADER_KEY, lastStreamRevision, readStream, waitFor } from './relay-fixtures';

// Jest runs this file from TS sources; the worker runs the compiled entry (`npm test` builds first).
const WORKER = join(__dirname, '../dist/relay/worker.js');

describe('relay thread', () => {
  jest.setTimeout(60_000);
  let etcd: EtcdServer;
  let nats: NatsServer;
  let client: Etcd3;
  let nc: NatsConnection;
  let relay: RelayHandle | undefined;
  const workers: Worker[] = [];
  const published: Array<[string, number, boolean]> = [];

  beforeAll(async () => {
    [etcd, nats] = await Promise.all([startEtcd(), startNats()]);
    client = new Etcd3(etcd.clientOptions);
    nc = await connect({ servers: nats.url });
    const encryptionConfigFile = join(mkdtempSync(join(tmpdir(), 'relay-thread-')), 'encryption-config.yaml');
    writeFileSync(encryptionConfigFile, encryptionConfigYaml([{ name: 'key1', secret: newEncryptionKey() }]));
    installEncryption(loadEncryptionConfig(encryptionConfigFile)); // this thread writes Secrets as the gateway would
    relay = startRelayThread(
      { etcd: etcdConnectionFromEnv(etcd.env), bus: { servers: [nats.url] }, limits: DEFAULT_STREAM_LIMITS, leaseTtlSeconds: 2, maxInFlight: 64, encryptionConfigFile },
      createLogger('relay-thread-test', { level: 'warn' }),
      (subject, seconds, ok) => void published.push([subject, seconds, ok]),
      { workerFile: WORKER, onWorker: (w) => void workers.push(w) },
    );
    // The empty stream's RESYNC: the relay leads and watches from here on.
    await waitFor('the relay to start the stream', async () => (await lastStreamRevision(nc)) > 0);
  });
  afterAll(async () => {
    installEncryption(new Map());
    await relay?.stop();
    await nc?.close();
    client?.close();
    await Promise.all([etcd?.stop(), nats?.stop()]);
  });

  let n = 0;
  const put = async (): Promise<number> => {
    const name = `thread-${++n}`;
    const res = await client.put(`/registry/core/configmaps/default/${name}`).value(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } })).exec();
    return Number(res.header.revision);
  };

  test('relays etcd writes to the stream; status, compaction floor and publish latencies reach this thread', async () => {
    const revisions = [await put(), await put(), await put()];
    await waitFor('the writes in the stream', async () => (await lastStreamRevision(nc)) >= revisions[2]);
    const status = await waitFor('the status report', async () => (relay!.status().ackedRevision ?? 0) >= revisions[2] && relay!.status());
    expect(status).toMatchObject({ leading: true });
    expect(status.published).toBeGreaterThanOrEqual(3);
    expect(relay!.compactionFloor()).toBeGreaterThanOrEqual(revisions[2]);
    await waitFor('publish latencies', async () => published.filter(([s]) => s === 'keelson.events.core.configmaps.default').length >= 3);
    expect(published.every(([, seconds, ok]) => ok && seconds >= 0 && seconds < 5)).toBe(true);
    // The relay's lease names a thread of this process.
    expect(await client.get(LEADER_KEY).string()).toContain(`/${process.pid}/`);
  });

  test('a Secret encrypted at rest is relayed (as a reference: name and uid, no data)', async () => {
    const key = '/registry/core/secrets/default/db';
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'default', uid: 'uid-db' }, data: { password: 'c2VjcmV0' } };
    const stored = encodeObject(secret, key);
    expect(stored.toString().startsWith('k8s:enc:aesgcm:v1:key1:')).toBe(true);
    const rev = Number((await client.put(key).value(stored).exec()).header.revision);
    await waitFor('the Secret relayed', async () => (await lastStreamRevision(nc)) >= rev);
    const event = (await readStream(nc)).find((e) => e.envelope.revision === rev)!;
    expect(event.envelope).toMatchObject({ type: 'ADDED', key, omitted: { name: 'db', namespace: 'default', uid: 'uid-db' } });
    expect(event.envelope.object).toBeUndefined();
  });

  test('a worker that dies is started again and resumes from the stream without a gap', async () => {
    expect(workers).toHaveLength(1);
    const before = await put();
    await waitFor('the write relayed', async () => (await lastStreamRevision(nc)) >= before);
    await workers[0].terminate();
    expect(relay!.compactionFloor()).toBeNull(); // a dead worker holds no floor
    // Written while no relay runs: the next worker publishes them, in order, after what the stream has.
    const missed = [await put(), await put()];
    await waitFor('a new worker', async () => workers.length === 2);
    await waitFor('the missed writes relayed', async () => (await lastStreamRevision(nc)) >= missed[1], 30_000);
    const revisions = (await readStream(nc)).map((e) => e.envelope.revision).filter((r) => r >= before);
    expect(revisions).toEqual([before, ...missed]);
    await waitFor('the new worker leading', async () => relay!.status().leading && (relay!.compactionFloor() ?? 0) >= missed[1]);
  });

  test('stop() ends the worker and revokes the lease, so a standby can take over at once', async () => {
    const last = workers[workers.length - 1];
    const exited = new Promise<number>((resolve) => last.once('exit', resolve));
    await relay!.stop();
    relay = undefined;
    await exited;
    expect(await client.get(LEADER_KEY).string()).toBeNull();
  });
});
