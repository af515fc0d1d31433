// What the gateway will store: limits checked on the final object, right before the write.
//
// Size: etcd refuses any request over --max-request-bytes (1.5 MiB by default, which is also what
// bounds objects in Kubernetes); that refusal used to reach clients as a 500 (or trip the etcd
// circuit breaker). Checked here, it is kube's 413 RequestEntityTooLarge. The headroom covers the
// key and the transaction around the value, so an object under the limit always fits.
//
// Depth: request bodies are capped at MAX_NESTING_DEPTH (http/nesting-depth.ts), but a JSON patch
// path can point below what a body reaches, so free-form content (custom resources that preserve
// unknown fields) could grow deeper with every patch until reading the object overflowed the
// stack. Stored objects get a cap a little above the body's, room for managedFields' nesting.
import { errors, type KubeObject } from '@keelson/api';
import { MAX_OBJECT_BYTES as ETCD_MAX_REQUEST_BYTES } from '@keelson/bus';
import { MAX_NESTING_DEPTH, deeperThan, nestedTooDeeply } from '../http/nesting-depth';

// etcd's default request limit is the bus's object bound too (libs/bus/src/limits.ts): one
// number sizes both what the gateway stores and what the relay must carry.
/** Key, compare and put framing of one write transaction (keys are at most a few hundred bytes). */
const TXN_HEADROOM_BYTES = 4096;
export const MAX_OBJECT_BYTES = ETCD_MAX_REQUEST_BYTES - TXN_HEADROOM_BYTES;
/** A body at MAX_NESTING_DEPTH plus metadata.managedFields[].fieldsV1 around its field set. */
export const MAX_OBJECT_DEPTH = MAX_NESTING_DEPTH + 64;

/** 400 when `obj` nests deeper than MAX_OBJECT_DEPTH; 413 when its JSON is over MAX_OBJECT_BYTES. */
export function checkObjectLimits(obj: KubeObject): void {
  // One walk measures both (a walk each was 1.6 % of the gateway's busy time in a rollout).
  const bound = jsonBytesAtMost(obj, MAX_OBJECT_DEPTH);
  if (bound === TOO_DEEP) throw nestedTooDeeply('the object', MAX_OBJECT_DEPTH);
  // Storage encodes the object right after this; encoding it here too, on every write, only to
  // measure it, cost more than the bound (objects are ~1 % of the limit). Near it, exactly.
  if (bound > MAX_OBJECT_BYTES && Buffer.byteLength(JSON.stringify(obj)) > MAX_OBJECT_BYTES) {
    throw errors.tooLarge(`Request entity too large: limit is ${MAX_OBJECT_BYTES}`);
  }
}

/** What jsonBytesAtMost answers for a value nested deeper than its `maxDepth`. */
export const TOO_DEEP = -1;

/**
 * An upper bound of the UTF-8 bytes of `JSON.stringify(v)`, found without building it: a string
 * is at most 6 bytes per UTF-16 unit (`\uXXXX`) and its quotes, a number at most 24 characters.
 * Anything but plain objects and arrays (a toJSON of its own) is unbounded. TOO_DEEP when arrays
 * and objects nest deeper than `maxDepth` (the value itself is depth 1), found before recursing
 * further, so the recursion stays within `maxDepth` frames whatever the value's depth.
 */
export function jsonBytesAtMost(v: unknown, maxDepth = MAX_OBJECT_DEPTH): number {
  return bytesAtMost(v, 1, maxDepth);
}

function bytesAtMost(v: unknown, depth: number, maxDepth: number): number {
  switch (typeof v) {
    case 'string':
      return 2 + 6 * v.length;
    case 'number':
      return 24;
    case 'boolean':
      return 5;
    case 'object':
      break;
    default:
      return 4; // undefined, a function, a symbol: left out, or null in an array
  }
  if (v === null) return 4;
  if (depth > maxDepth) return TOO_DEEP;
  let n = 2;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const m = bytesAtMost(v[i], depth + 1, maxDepth);
      if (m === TOO_DEEP) return TOO_DEEP;
      n += 1 + m;
    }
    return n;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return deeperThan(v, depth, maxDepth) ? TOO_DEEP : Infinity;
  for (const k in v) {
    const m = bytesAtMost((v as Record<string, unknown>)[k], depth + 1, maxDepth);
    if (m === TOO_DEEP) return TOO_DEEP;
    n += 4 + 6 * k.length + m;
  }
  return n;
}
