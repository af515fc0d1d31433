// Polling for eventually-consistent state in integration and e2e tests.

/**
 * Polls `fn` (sync or async) until it returns something truthy and returns that; a thrown error counts as
 * "not yet" and is reported, with `what` and `context()` (e.g. a service's log tail), if time runs out.
 */
export async function until<T>(
  what: string,
  fn: () => T | undefined | null | false | '' | Promise<T | undefined | null | false | ''>,
  timeoutMs = 30_000,
  intervalMs = 100,
  context?: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}${context ? `\n${context()}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
