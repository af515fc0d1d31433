// The gateway's etcd calls without grpc-js' per-call caller stack: against a real etcd, a
// failing call still carries etcd's own code and message (what the storage layer maps to a
// Kubernetes Status), a successful one its answer, and the stack is captured at depth 0
// while the call is made (and restored afterwards for everything else).
import { Etcd3 } from 'etcd3';
import { startEtcd, type EtcdServer } from '@keelson/testing';
import { skipEtcdCallerStacks } from '../src/etcd-call-stacks';

let etcd: EtcdServer;
let client: Etcd3;

beforeAll(async () => {
  etcd = await startEtcd();
  client = new Etcd3(etcd.clientOptions);
}, 60_000);

afterAll(async () => {
  client?.close();
  await etcd?.stop();
});

/** The stack depth a failing put's grpc error was captured with, and its message. */
async function failingPut(): Promise<{ message: string; callerFrames: number; name: string }> {
  try {
    await client.put('/registry/x').value('v').lease('7fffffffffff'); // no such lease
    throw new Error('the put succeeded');
  } catch (e) {
    const err = e as Error;
    // grpc-js appends "for call at\n<the caller's stack>" to the error's stack.
    const caller = (err.stack ?? '').split('for call at\n')[1] ?? '';
    return { message: err.message, name: err.constructor.name, callerFrames: caller.split('\n').filter((l) => l.trim().startsWith('at ')).length };
  }
}

test('etcd errors keep their message; only the caller stack is gone; other errors keep their stacks', async () => {
  const before = await failingPut();
  expect(before.callerFrames).toBeGreaterThan(0); // grpc-js captures it by default
  expect(skipEtcdCallerStacks({})).toBeGreaterThan(0);
  const after = await failingPut();
  expect(after.message).toBe(before.message);
  expect(after.message).toMatch(/requested lease not found/);
  expect(after.name).toBe(before.name);
  expect(after.callerFrames).toBe(0);
  expect(Error.stackTraceLimit).toBeGreaterThan(0);
  expect(new Error('elsewhere').stack).toMatch(/\n\s+at /);
  // Calls still answer (and a second install wraps nothing twice).
  await client.put('/registry/y').value('ok');
  expect(await client.get('/registry/y').string()).toBe('ok');
  expect(skipEtcdCallerStacks({})).toBe(0);
});

test('KEELSON_ETCD_CALLER_STACKS=true keeps them', () => {
  expect(skipEtcdCallerStacks({ KEELSON_ETCD_CALLER_STACKS: 'true' })).toBe(0);
});
