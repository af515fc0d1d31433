// What a benchmark phase cost the API: apiserver_request_total from the gateway's /metrics,
// before and after, by verb and resource(/subresource). Watches and the bench's own polls are
// counted too; the table shows which writes the controllers made per object.
import { parsePrometheusText, type ControlPlane } from '@keelson/testing';

export type RequestCounts = Map<string, number>;

/** `VERB resource[/subresource]` → requests served so far (any response code). */
export async function apiRequestCounts(cp: Pick<ControlPlane, 'request'>): Promise<RequestCounts> {
  const res = await cp.request('GET', '/metrics');
  if (res.status !== 200) throw new Error(`GET /metrics: HTTP ${res.status}`);
  const counts: RequestCounts = new Map();
  const family = parsePrometheusText(res.body).get('apiserver_request_total');
  for (const s of family?.samples ?? []) {
    const { verb, resource, subresource } = s.labels;
    if (!resource) continue;
    const key = `${verb} ${resource}${subresource ? `/${subresource}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + s.value);
  }
  return counts;
}

/** The requests served between two snapshots, largest first, as table rows [what, count, per object]. */
export function requestRows(before: RequestCounts, after: RequestCounts, objects: number): [string, number, number][] {
  const rows: [string, number, number][] = [];
  for (const [key, n] of after) {
    const d = n - (before.get(key) ?? 0);
    if (d > 0) rows.push([key, d, Math.round((d / objects) * 100) / 100]);
  }
  return rows.sort((a, b) => b[1] - a[1]);
}

const WRITE_VERBS = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'DELETECOLLECTION', 'APPLY']);

/** How many of those rows are writes (mutating verbs). */
export function writesIn(rows: [string, number, number][]): number {
  return rows.reduce((n, [key, d]) => (WRITE_VERBS.has(key.split(' ')[0]) ? n + d : n), 0);
}
