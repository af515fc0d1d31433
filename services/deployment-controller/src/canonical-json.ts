// A stable JSON text of a value (object keys sorted at every level), and semantic equality
// in the spirit of apimachinery's Semantic.DeepEqual: an absent field, null, {} and [] are
// the same, so a defaulted-then-echoed object still compares equal.

export function canonicalJson(v: unknown): string {
  return JSON.stringify(normalize(v)) ?? 'null';
}

export function semanticEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const n = normalize((v as Record<string, unknown>)[k]);
    if (n === undefined || n === null || isEmpty(n)) continue;
    out[k] = n;
  }
  return out;
}

function isEmpty(v: unknown): boolean {
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && v !== null && Object.keys(v).length === 0;
}
