// Requests through connectBus: no stack is captured when an answered request is cleaned up, and
// requests still answer, time out and fail as before (codes and messages intact).
import { createRequire } from 'node:module';
import { ErrorCode, type NatsConnection, type NatsError } from 'nats';
import { startNats, type NatsServer } from '@keelson/testing';
import { connectBus, skipNatsCancelStacks } from '../src';

describe('NATS requests without stack capture', () => {
  jest.setTimeout(30_000);
  let nats: NatsServer;
  let nc: NatsConnection;
  beforeAll(async () => {
    nats = await startNats();
    nc = await connectBus({ servers: [nats.url] }, 'request-stacks-test', { maxReconnectAttempts: 0 });
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  test("connectBus wraps nats.js's RequestOne.cancel once; calling again changes nothing", () => {
    const fromNats = createRequire(require.resolve('nats'));
    const { RequestOne } = fromNats('./lib/nats-base-client/request') as { RequestOne: { prototype: { cancel: { keelsonNoStacks?: true } } } };
    const wrapped = RequestOne.prototype.cancel;
    expect(wrapped.keelsonNoStacks).toBe(true);
    expect(skipNatsCancelStacks()).toBe(true);
    expect(RequestOne.prototype.cancel).toBe(wrapped);
  });

  test('the CANCELLED error made for an answered request has no stack frames; its code stays', () => {
    const fromNats = createRequire(require.resolve('nats'));
    const { RequestOne } = fromNats('./lib/nats-base-client/request') as { RequestOne: { prototype: { cancel(this: unknown, err?: Error): void } } };
    let rejected: NatsError | undefined;
    const request = { mux: { cancel: () => undefined }, deferred: { reject: (e: NatsError) => (rejected = e) } };
    RequestOne.prototype.cancel.call(request);
    expect(rejected?.code).toBe(ErrorCode.Cancelled);
    expect(rejected?.stack).not.toMatch(/\n\s+at /);
    expect(new Error('elsewhere').stack).toMatch(/\n\s+at /); // the limit is restored after each cancel
  });

  test('answered requests still resolve', async () => {
    nc.subscribe('echo', { callback: (_e, m) => m.respond(m.data) });
    for (let i = 0; i < 20; i++) expect(new TextDecoder().decode((await nc.request('echo', new TextEncoder().encode(`m${i}`), { timeout: 2000 })).data)).toBe(`m${i}`);
  });

  test('an unanswered request still fails with its code', async () => {
    const err = (await nc.request('nobody.listens', new Uint8Array(), { timeout: 300, noMux: false }).then(() => undefined, (e: unknown) => e)) as NatsError;
    expect(err).toBeDefined();
    expect([ErrorCode.NoResponders, ErrorCode.Timeout]).toContain(err.code);
  });
});
