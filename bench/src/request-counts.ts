// The gateway's own request counters (apiserver_request_total), read over its /metrics endpoint,
// so a benchmark can say how many API calls of each kind one phase cost: "writes per pod" is a
// number, not a guess.
import { request } from 'node:https';

export type RequestCounts = Map<string, number>;

const SERIES = /^apiserver_request_total\{([^}]*)\} (\d+(?:\.\d+)?(?:e\+?\d+)?)$/;

function labels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) out[m[1]] = m[2];
  return out;
}

/** "VERB resource[/subresource]" → requests so far, summed over codes, groups and scopes. */
export async function requestCounts(url: string, token: string, ca: string): Promise<RequestCounts> {
  const body = await new Promise<string>((resolve, reject) => {
    const req = request(`${url}/metrics`, { ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`GET /metrics: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
  const counts: RequestCounts = new Map();
  for (const line of body.split('\n')) {
    const m = SERIES.exec(line);
    if (!m) continue;
    const l = labels(m[1]);
    const key = `${l.verb} ${l.resource}${l.subresource ? `/${l.subresource}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(m[2]));
  }
  return counts;
}

const WRITE_VERBS = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'APPLY', 'CREATE', 'UPDATE', 'DELETECOLLECTION']);

/** The requests made between two snapshots, largest first; `writes` counts only mutating verbs. */
export function countsBetween(before: RequestCounts, after: RequestCounts): { rows: [string, number][]; writes: number } {
  const rows: [string, number][] = [];
  let writes = 0;
  for (const [key, n] of after) {
    const d = n - (before.get(key) ?? 0);
    if (d <= 0) continue;
    rows.push([key, d]);
    if (WRITE_VERBS.has(key.split(' ')[0].toUpperCase())) writes += d;
  }
  rows.sort((a, b) => b[1] - a[1]);
  return { rows, writes };
}
