// A ceiling on how deeply a request body may nest. Parsing is iterative, but everything after it
// (validation, defaulting, patching, managed fields, JSON.stringify itself) recurses once per
// level, and V8 overflows its stack at a few thousand levels: a body nested 2,000 deep was a 500.
// kube-apiserver's JSON decoder refuses beyond 10,000 levels; the gateway's recursion cannot
// reach that, so it refuses far earlier, at a depth no Kubernetes object comes near (CRD schemas,
// the deepest real documents, stay under ~100).
import { Lexer } from 'yaml';
import { errors, type ApiError } from '@keelson/api';

export const MAX_NESTING_DEPTH = 512;

/**
 * 400 when `value` nests arrays and objects deeper than `max`. Recursive but bounded by `max`
 * (a few hundred frames, whatever the value's depth), and it allocates nothing: it runs on every
 * request body and every object written.
 */
export function checkNestingDepth(value: unknown, what = 'the request body', max = MAX_NESTING_DEPTH): void {
  if (deeperThan(value, 1, max)) throw nestedTooDeeply(what, max);
}

/** The 400 for a value nested deeper than `max`. */
export function nestedTooDeeply(what: string, max: number): ApiError {
  return errors.badRequest(`${what} is nested too deeply: exceeded max depth ${max}`);
}

/** Whether arrays and objects in `v` (at `depth`) nest deeper than `max`. */
export function deeperThan(v: unknown, depth: number, max: number): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (depth > max) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (deeperThan(v[i], depth + 1, max)) return true;
    return false;
  }
  for (const k in v) if (deeperThan((v as Record<string, unknown>)[k], depth + 1, max)) return true;
  return false;
}

/**
 * The yaml parser composes flow collections (`[[[…]]]`) recursively and, tens of thousands deep,
 * exhausts the heap and kills the process instead of throwing, so YAML is measured before it is
 * parsed. Counting brackets is enough when there are few; otherwise the yaml lexer (iterative,
 * and it sees quoted and block scalars whole, so brackets inside strings neither count nor hide
 * others) gives the exact flow depth. Block nesting only ever throws, which decodeBody answers 400.
 */
export function checkYamlFlowDepth(text: string): void {
  let brackets = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x5b || ch === 0x7b) brackets++; // [ {
  }
  if (brackets <= MAX_NESTING_DEPTH) return;
  let depth = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') {
      if (++depth > MAX_NESTING_DEPTH) throw errors.badRequest(`the request body is nested too deeply: exceeded max depth ${MAX_NESTING_DEPTH}`);
    } else if (token === ']' || token === '}') depth = Math.max(0, depth - 1);
  }
}
