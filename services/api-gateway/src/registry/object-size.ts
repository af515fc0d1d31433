// The largest object the gateway stores. etcd refuses any request over --max-request-bytes
// (1.5 MiB by default, which is also what bounds objects in Kubernetes); that refusal used to
// reach clients as a 500 (or trip the etcd circuit breaker). Checked here before the write, it
// is kube's 413 RequestEntityTooLarge. The headroom covers the key and the transaction around
// the value, so an object under the limit always fits etcd's request.
import { errors, type KubeObject } from '@keelson/api';

/** etcd's default request limit. */
export const ETCD_MAX_REQUEST_BYTES = 1536 * 1024;
/** Key, compare and put framing of one write transaction (keys are at most a few hundred bytes). */
const TXN_HEADROOM_BYTES = 4096;
export const MAX_OBJECT_BYTES = ETCD_MAX_REQUEST_BYTES - TXN_HEADROOM_BYTES;

/** 413 when `obj`, encoded as storage encodes it (JSON), is over MAX_OBJECT_BYTES. */
export function checkObjectSize(obj: KubeObject): void {
  if (Buffer.byteLength(JSON.stringify(obj)) > MAX_OBJECT_BYTES) throw errors.tooLarge(`Request entity too large: limit is ${MAX_OBJECT_BYTES}`);
}
