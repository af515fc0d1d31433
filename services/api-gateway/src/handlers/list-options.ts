// ListOptions validation (apimachinery metainternalversion/validation.ValidateListOptions):
// a bad resourceVersionMatch is 422 Invalid on kind ListOptions.meta.k8s.io, as the list
// handler answers it, instead of being ignored.
import { causes, errors, type StatusCause } from '@keelson/api';

const FIELD = 'resourceVersionMatch';

export function validateListOptions(q: URLSearchParams, watch: boolean): void {
  const match = q.get(FIELD);
  if (match === null || match === '') return;
  const out: StatusCause[] = [];
  if (watch) {
    // Watches only know NotOlderThan (with sendInitialEvents).
    if (match !== 'NotOlderThan') out.push(causes.notSupported(FIELD, match, ['NotOlderThan']));
  } else {
    const rv = q.get('resourceVersion') ?? '';
    if (rv === '') out.push(causes.forbidden(FIELD, 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
    if ((q.get('continue') ?? '') !== '') out.push(causes.forbidden(FIELD, 'resourceVersionMatch is forbidden when continue is provided'));
    if (match !== 'Exact' && match !== 'NotOlderThan') out.push(causes.notSupported(FIELD, match, ['Exact', 'NotOlderThan', '']));
    if (match === 'Exact' && rv === '0') out.push(causes.forbidden(FIELD, 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  }
  if (out.length > 0) throw errors.invalid('ListOptions', '', out, 'meta.k8s.io');
}
