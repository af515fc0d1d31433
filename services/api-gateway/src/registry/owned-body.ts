// Request bodies the gateway decoded itself and hands to exactly one write: the registry may
// default them in place instead of deep-copying them first (two structuredClone calls per
// create cost ≈ 8 % of create throughput, issue 14). Objects not marked here (bootstrap
// policy, namespace defaults, apply results, converted custom resources) are copied as before,
// since their callers may keep and reuse them.
const owned = new WeakSet<object>();

/** Marks a freshly decoded body as the write's own; returns it. */
export function ownBody<T>(body: T): T {
  if (typeof body === 'object' && body !== null) owned.add(body);
  return body;
}

/** Whether `body` was marked by ownBody (nobody else holds it). */
export function isOwnedBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && owned.has(body);
}
