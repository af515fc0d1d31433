// Classifying an API error by its Status (apimachinery's errors.IsNotFound and friends), so
// controllers branch on what the server said rather than on bare HTTP codes. The reason
// decides; the code only where the answer carried no specific reason (a proxy's page, an
// empty body), as upstream's reasonAndCodeForError does.
import { ApiError, type StatusReason } from '@keelson/api';

/** Reasons that say nothing more specific than the code (no Status body, or an unknown reason). */
const UNSPECIFIC: ReadonlySet<string> = new Set(['', 'Unknown', 'InternalError']);

function hasReason(err: unknown, reason: StatusReason, code: number): boolean {
  if (!(err instanceof ApiError)) return false;
  return err.reason === reason || (err.code === code && UNSPECIFIC.has(err.reason));
}

/** 404 NotFound: the object (or the resource) does not exist. */
export const isNotFound = (err: unknown): boolean => hasReason(err, 'NotFound', 404);

/**
 * 409 Conflict: a stale resourceVersion, a failed uid precondition, or a write the store
 * gave up on after concurrent changes. Not AlreadyExists, which is also a 409.
 */
export const isConflict = (err: unknown): boolean => hasReason(err, 'Conflict', 409);

/** 409 AlreadyExists: a create whose name is taken. */
export const isAlreadyExists = (err: unknown): boolean => err instanceof ApiError && err.reason === 'AlreadyExists';

/** 422 Invalid: the object failed validation. */
export const isInvalid = (err: unknown): boolean => hasReason(err, 'Invalid', 422);

/** 403 Forbidden: refused by authorization or admission (a terminating namespace, a quota). */
export const isForbidden = (err: unknown): boolean => hasReason(err, 'Forbidden', 403);

/** The message to log or record for any thrown value. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
