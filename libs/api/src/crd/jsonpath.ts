// The JSONPath subset printer columns use (`.spec.replicas`, `.items[0].name`, `.a[*].b`,
// `.status.conditions[?(@.type=="Ready")].status`), as k8s.io/client-go/util/jsonpath
// evaluates it for a column: every match, in order.
import { isRecord } from '../types';

type Step = { field: string } | { index: number } | { all: true } | { filter: { path: string[]; op: '==' | '!='; value: unknown } };

export class JsonPathError extends Error {}

/** Parses `.a.b[0]` (braces `{.a.b}` allowed). Throws JsonPathError on what it cannot read. */
export function parseJsonPath(expr: string): Step[] {
  let s = expr.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1).trim();
  if (!s.startsWith('.')) throw new JsonPathError(`jsonPath must start with '.': ${expr}`);
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === '.') {
      const m = /^\.([A-Za-z0-9_\-$]*)/.exec(s.slice(i));
      if (!m) throw new JsonPathError(`unexpected character at ${i} in ${expr}`);
      if (m[1]) steps.push({ field: m[1] });
      i += m[0].length;
    } else if (s[i] === '[') {
      const end = s.indexOf(']', i);
      if (end < 0) throw new JsonPathError(`unclosed [ in ${expr}`);
      const inner = s.slice(i + 1, end).trim();
      if (inner === '*') steps.push({ all: true });
      else if (/^-?\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if (/^'[^']*'$|^"[^"]*"$/.test(inner)) steps.push({ field: inner.slice(1, -1) });
      else {
        const f = /^\?\(@((?:\.[A-Za-z0-9_\-]+)+)\s*(==|!=)\s*(.+)\)$/.exec(inner);
        if (!f) throw new JsonPathError(`unsupported expression [${inner}] in ${expr}`);
        steps.push({ filter: { path: f[1].split('.').filter(Boolean), op: f[2] as '==' | '!=', value: literal(f[3].trim()) } });
      }
      i = end + 1;
    } else {
      throw new JsonPathError(`unexpected character '${s[i]}' in ${expr}`);
    }
  }
  return steps;
}

function literal(raw: string): unknown {
  if (/^'.*'$|^".*"$/.test(raw)) return raw.slice(1, -1);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  const n = Number(raw);
  return Number.isNaN(n) ? raw : n;
}

/** Every value `steps` reach from `root`. */
export function evaluateJsonPath(root: unknown, steps: Step[]): unknown[] {
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if ('field' in step) {
        if (isRecord(v) && v[step.field] !== undefined) next.push(v[step.field]);
      } else if ('index' in step) {
        if (Array.isArray(v)) {
          const item = v[step.index < 0 ? v.length + step.index : step.index];
          if (item !== undefined) next.push(item);
        }
      } else if ('all' in step) {
        if (Array.isArray(v)) next.push(...v);
        else if (isRecord(v)) next.push(...Object.values(v));
      } else if (Array.isArray(v)) {
        for (const item of v) {
          let got: unknown = item;
          for (const k of step.filter.path) got = isRecord(got) ? got[k] : undefined;
          if ((got === step.filter.value) === (step.filter.op === '==')) next.push(item);
        }
      }
    }
    current = next;
  }
  return current;
}
