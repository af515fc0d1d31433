// nats.js's RequestOne.cancel() runs on every answered request (each JetStream publish's ack
// included) and builds a NatsError "CANCELLED" to reject a promise that has already resolved: a
// stack captured per published event, read by nobody (1 % of the gateway's CPU in the deploy
// bench, after noAsyncTraces removed the others). Once per process, cancel() runs with
// Error.stackTraceLimit = 0: the error keeps its code and message, only its stack is empty.
import { createRequire } from 'node:module';

type Method = ((this: unknown, ...args: unknown[]) => unknown) & { keelsonNoStacks?: true };

/**
 * `original` run with Error.stackTraceLimit = 0 for its synchronous extent: errors made meanwhile
 * keep code and message, without stack frames. Marked, so nothing is wrapped twice (the gateway's
 * etcd calls use it too: etcd-call-stacks.ts).
 */
export function withoutStackCapture(original: Method): Method {
  const wrapped: Method = function (this: unknown, ...args: unknown[]) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return original.apply(this, args);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
  wrapped.keelsonNoStacks = true;
  return wrapped;
}

let done = false;

/** Returns whether nats.js's request cancel is (now) without stack capture. */
export function skipNatsCancelStacks(): boolean {
  if (done) return true;
  try {
    const fromNats = createRequire(require.resolve('nats'));
    const { RequestOne } = fromNats('./lib/nats-base-client/request') as { RequestOne?: { prototype: { cancel?: Method } } };
    const original = RequestOne?.prototype.cancel;
    if (typeof original !== 'function') return false;
    if (!original.keelsonNoStacks) RequestOne!.prototype.cancel = withoutStackCapture(original);
    done = true;
    return true;
  } catch {
    return false; // another nats.js layout: requests keep their stacks
  }
}
