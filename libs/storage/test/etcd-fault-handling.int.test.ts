// Issue 9, defect 5: oversized writes must not open the etcd client's circuit breaker. etcd3's
// default policies count gRPC's RESOURCE_EXHAUSTED ("received message larger than max") as a
// host failure and retry it, so three such writes shut every later request out for 5 s.
import { Etcd3, GRPCResourceExhastedError, GRPCUnavailableError, GRPCInvalidArgumentError } from 'etcd3';
import { startEtcd, type EtcdServer } from '@keelson/testing';
import { etcdClientOptions } from '../src/etcd-connection';
import { etcdFaultHandling, isEtcdUnavailable } from '../src/etcd-fault-handling';
import { EtcdStore } from '../src/store';

jest.setTimeout(60_000);

let server: EtcdServer;
beforeAll(async () => {
  server = await startEtcd();
});
afterAll(async () => {
  await server?.stop();
});

// 2.5 MB: over etcd's gRPC receive limit (--max-request-bytes 1.5 MiB + 512 KiB of overhead).
const tooLarge = 'x'.repeat(2_500_000);

async function threeOversizedPutsThenGet(client: Etcd3): Promise<string> {
  for (let i = 0; i < 3; i++) await expect(client.put(`/fault/big-${i}`).value(tooLarge)).rejects.toThrow();
  await client.put('/fault/small').value('ok');
  return (await client.get('/fault/small').string()) ?? '';
}

test('the default etcd3 policies open the breaker after oversized writes (the defect)', async () => {
  const client = new Etcd3({ ...server.clientOptions });
  try {
    await expect(threeOversizedPutsThenGet(client)).rejects.toThrow(/circuit breaker is open/i);
  } finally {
    client.close();
  }
});

test('with the gateway\'s client options, oversized writes fail alone and the next requests go through', async () => {
  const client = new Etcd3(etcdClientOptions({ endpoints: [server.endpoint], caFile: server.tls.caFile, certFile: server.tls.clientCertFile, keyFile: server.tls.clientKeyFile }));
  try {
    // Twice the breaker's threshold, in case one failure were still counted.
    for (let round = 0; round < 2; round++) expect(await threeOversizedPutsThenGet(client)).toBe('ok');
    // Between etcd's request limit and gRPC's: etcd's own refusal, also the request's fault.
    await expect(client.put('/fault/medium').value('y'.repeat(1_800_000))).rejects.toThrow(/request is too large/);
    expect(await client.get('/fault/small').string()).toBe('ok');
  } finally {
    client.close();
  }
});

test('the breaker still opens when etcd is unavailable', async () => {
  const gone = await startEtcd();
  const client = new Etcd3({ ...gone.clientOptions, faultHandling: etcdFaultHandling() });
  try {
    await client.put('/fault/k').value('v');
    await gone.stop();
    const errors: string[] = [];
    for (let i = 0; i < 3; i++) errors.push(await client.get('/fault/k').string().then(() => 'ok', (e: Error) => e.message));
    expect(errors.every((m) => m !== 'ok')).toBe(true);
    await expect(client.get('/fault/k').string()).rejects.toThrow(/circuit breaker is open/i);
  } finally {
    client.close();
  }
});

test('which errors count as unavailability', () => {
  expect(isEtcdUnavailable(new GRPCUnavailableError('14 UNAVAILABLE: No connection established'))).toBe(true);
  expect(isEtcdUnavailable(new GRPCResourceExhastedError('8 RESOURCE_EXHAUSTED: etcdserver: too many requests'))).toBe(true);
  expect(isEtcdUnavailable(new GRPCResourceExhastedError('8 RESOURCE_EXHAUSTED: grpc: received message larger than max (2500020 vs. 2097152)'))).toBe(false);
  expect(isEtcdUnavailable(new GRPCInvalidArgumentError('3 INVALID_ARGUMENT: etcdserver: request is too large'))).toBe(false);
});

// A killed etcd leader leaves forwarded writes unanswered for etcd's whole request timeout; the
// store bounds each attempt and re-sends (group-commit.ts). A frozen etcd answers nothing at all.
test('a store write etcd does not answer ends at its retry budget instead of waiting, and neither opens the breaker nor is applied twice', async () => {
  if (!server.freeze) return void console.warn('etcd runs in a container here: freezing it is not supported');
  const client = new Etcd3(etcdClientOptions({ endpoints: [server.endpoint], caFile: server.tls.caFile, certFile: server.tls.clientCertFile, keyFile: server.tls.clientKeyFile }));
  const store = new EtcdStore(client, { groupCommit: true, writeRetry: { attemptTimeoutMs: 200, budgetMs: 1000 } });
  try {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'frozen', namespace: 'default' }, data: { v: '1' } };
    const created = await store.create('/fault/frozen', cm);
    server.freeze(true);
    try {
      await expect(store.update('/fault/frozen', { ...cm, data: { v: '2' } }, Number(created.metadata.resourceVersion))).rejects.toThrow();
    } finally {
      server.freeze(false);
    }
    // The same write again: etcd is back, the breaker closed; the frozen attempt either applied
    // (then this one is recognised as it, or conflicts) or not, but v is 2 exactly once.
    const again = await store.guaranteedUpdate('/fault/frozen', (o) => ({ ...o, data: { v: '2' } }));
    expect(again.data).toEqual({ v: '2' });
    expect((await store.get('/fault/frozen'))?.data).toEqual({ v: '2' });
    await expect(store.create('/fault/after-freeze', { ...cm, metadata: { name: 'after', namespace: 'default' } })).resolves.toBeDefined();
  } finally {
    server.freeze(false);
    client.close();
  }
});
