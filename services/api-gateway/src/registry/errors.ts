// Maps storage failures to Kubernetes Status errors for one resource.
import { ApiError, errors, qualifiedResource, type ResourceInfo } from '@keelson/api';
import { StorageError } from '@keelson/storage';
import { watchCacheTimeout } from '../handlers/watch-limits';

export function toApiError(err: unknown, info: ResourceInfo, name: string): unknown {
  if (!(err instanceof StorageError)) return err;
  const qr = qualifiedResource(info);
  switch (err.code) {
    case 'KeyExists':
      return errors.alreadyExists(qr, name);
    case 'NotFound':
      return errors.notFound(qr, name);
    case 'Conflict':
      return errors.conflict(qr, name, 'the object has been modified; please apply your changes to the latest version and try again');
    case 'Expired':
      return errors.gone(err.message);
    case 'InvalidContinue':
      return errors.badRequest(err.message);
    case 'Unavailable':
      // etcd's "required revision is a future revision" (an Exact list ahead of etcd): kube's
      // TooLargeResourceVersion 504, as from the watch cache (was 503, found by npm run fuzz).
      return err.message.startsWith('Too large resource version') ? watchCacheTimeout(err) : new ApiError(503, 'ServiceUnavailable', err.message);
    default:
      return new ApiError(503, 'ServiceUnavailable', err.message);
  }
}

export function parseResourceVersion(rv: string | undefined | null, what = 'resourceVersion'): number | undefined {
  if (rv === undefined || rv === null || rv === '') return undefined;
  if (!/^\d+$/.test(rv)) throw errors.badRequest(`invalid ${what}: ${JSON.stringify(rv)}`);
  // A uint64 as kube's ParseResourceVersion reads it: beyond 2^64-1 it is no resource version.
  if (BigInt(rv) > 18446744073709551615n) throw errors.badRequest(`invalid ${what}: ${JSON.stringify(rv)}: value out of range`);
  return Number(rv);
}
