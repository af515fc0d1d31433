// How Kubernetes writes time in objects. metav1.Time marshals as RFC 3339 in UTC with whole
// seconds (`2024-05-01T10:00:00Z`, sub-second part dropped, not rounded); metav1.MicroTime
// (Events' eventTime, Leases' renewTime, audit stamps) keeps microseconds. Every writer uses
// these so that a stored timestamp compares equal to what a Go client would have written.

/** metav1.Time: `2024-05-01T10:00:00Z`. Defaults to now. */
export function metaTime(at: Date | number = Date.now()): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** metav1.MicroTime: `2024-05-01T10:00:00.123000Z` (JavaScript keeps milliseconds). Defaults to now. */
export function microTime(at: Date | number = Date.now()): string {
  const d = typeof at === 'number' ? new Date(at) : at;
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
