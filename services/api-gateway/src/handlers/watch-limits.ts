// Two watch edges hostile clients found: a timeoutSeconds past Node's 32-bit timer range, and
// a resourceVersion the watch cache never reaches.
import { ApiError, errors } from '@keelson/api';
import type { StorageError } from '@keelson/storage';

/** Node fires any setTimeout over 2^31-1 ms (~24.8 days) after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * setTimeout for any duration: kube honours `timeoutSeconds=2147484` (and more) as asked, so
 * a long delay is chained through timers Node can hold, instead of ending the watch at once.
 */
export function setLongTimeout(fn: () => void, ms: number): { clear(): void } {
  let timer: NodeJS.Timeout;
  const at = Date.now() + ms;
  const arm = (): void => {
    const left = at - Date.now();
    timer = left > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(fn, Math.max(left, 0));
    timer.unref();
  };
  arm();
  return { clear: () => clearTimeout(timer) };
}

/**
 * A watch cache that could not reach the asked revision in time: storage's
 * NewTooLargeResourceVersionError, a 504 whose cause tells client-go to retry (or relist).
 */
export function watchCacheTimeout(err: StorageError): ApiError {
  if (!err.message.startsWith('Too large resource version')) return errors.timeout(err.message);
  return new ApiError(504, 'Timeout', `Timeout: ${err.message}`, {
    retryAfterSeconds: 1,
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
  });
}
