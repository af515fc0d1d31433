// The etcd3 client's fault handling (its cockatiel policies), so that only etcd being
// unavailable opens the circuit breaker — never one client's bad request.
//
// etcd3's default host policy opens a breaker for 5 s after three consecutive "recoverable"
// errors, and its global policy retries each such error three times. RESOURCE_EXHAUSTED counts
// as recoverable, and that is what gRPC answers for a message over its size limit ("received
// message larger than max"): a single oversized write was retried into three failures, the
// breaker opened, and every request of every user got 500 "circuit breaker is open" and
// /readyz failed (issue 9, defect 5). Here a failure counts (and is retried) only when it says
// nothing about the request itself: the server is unreachable or did not answer.
import { ConsecutiveBreaker, circuitBreaker, handleWhen, retry } from 'cockatiel';
import {
  GRPCDeadlineExceededError, GRPCInternalError, GRPCResourceExhastedError, GRPCUnavailableError, isRecoverableError,
  type IOptions,
} from 'etcd3';

/** The breaker opens after this many consecutive unavailability errors on one host… */
const BREAKER_CONSECUTIVE_FAILURES = 3;
/** …and lets one request through again after this long (etcd3's defaults). */
const BREAKER_HALF_OPEN_AFTER_MS = 5000;
const RETRY_ATTEMPTS = 3;

/** gRPC's refusal of a message over its size limit (sent or received): the request's fault. */
export function isMessageSizeError(err: Error): boolean {
  return /larger than max|message too large|request is too large|exceeds maximum/i.test(err.message);
}

/**
 * Whether an etcd3 error means etcd (or the path to it) is unavailable: UNAVAILABLE, no answer
 * in time, a transport failure, or etcd shedding load ("too many requests"). Errors about one
 * request — invalid argument, too large, compacted revision, failed precondition, a cancelled
 * call — are not, however often a client repeats them.
 */
export function isEtcdUnavailable(err: Error): boolean {
  if (!isRecoverableError(err) || isMessageSizeError(err)) return false;
  return err instanceof GRPCUnavailableError || err instanceof GRPCDeadlineExceededError ||
    err instanceof GRPCInternalError || err instanceof GRPCResourceExhastedError;
}

/** `faultHandling` for `new Etcd3({...})`: etcd3's default policies, counting unavailability only. */
export function etcdFaultHandling(): NonNullable<IOptions['faultHandling']> {
  const unavailable = handleWhen(isEtcdUnavailable);
  return {
    host: () => circuitBreaker(unavailable, { halfOpenAfter: BREAKER_HALF_OPEN_AFTER_MS, breaker: new ConsecutiveBreaker(BREAKER_CONSECUTIVE_FAILURES) }),
    global: retry(unavailable, { maxAttempts: RETRY_ATTEMPTS }),
  };
}

/**
 * The wait before attempt `attempt + 1` of a call etcd did not answer (or answered that it has no
 * leader yet): 50 ms doubling up to 1 s, so a store does not spin while etcd elects a leader.
 */
export function retryPause(attempt: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
}
