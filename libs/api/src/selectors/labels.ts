// Label selectors with the semantics of k8s.io/apimachinery/pkg/labels: the string
// syntax of `labels.Parse` (what `?labelSelector=` carries) and the structured
// `metav1.LabelSelector` of workload specs. Error texts follow apimachinery so that
// kubectl prints what a real cluster prints.

import { errors } from '../status';
import { isQualifiedName, isValidLabelValue } from '../validation/names';

export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  /** Sorted and de-duplicated when parsed from a string; as given when built from an object. */
  values: string[];
}

export interface LabelSelector {
  matches(labels: Record<string, string> | undefined): boolean;
  /** True when the selector does not restrict anything (matches everything). */
  isEmpty(): boolean;
  /** Canonical form, as `Selector.String()` prints it. */
  toString(): string;
  requirements(): LabelRequirement[];
  /** The single value the selector demands for `key` (`key=v`, `key==v`, `key in (v)`), if any. */
  requiresExactMatch(key: string): string | undefined;
}

// --- requirements -------------------------------------------------------------

function hasValue(r: LabelRequirement, v: string): boolean {
  return r.values.includes(v);
}

function requirementMatches(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && hasValue(r, labels[r.key]);
    case 'notin':
    case '!=':
      return !has || !hasValue(r, labels[r.key]);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const actual = parseInt64(labels[r.key]);
      const bound = parseInt64(r.values[0]);
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

/** Go's strconv.ParseInt(s, 10, 64), as a bigint; undefined when it would fail. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n > 9223372036854775807n || n < -9223372036854775808n ? undefined : n;
}

const OP_TEXT: Record<LabelOperator, string> = { '=': '=', '==': '==', '!=': '!=', in: ' in ', notin: ' notin ', gt: '>', lt: '<', exists: '', '!': '' };

function requirementString(r: LabelRequirement): string {
  if (r.operator === 'exists') return r.key;
  if (r.operator === '!') return `!${r.key}`;
  // Values are printed sorted without touching the requirement itself.
  const vals = r.values.length === 1 ? r.values[0] : [...r.values].sort(compareGo).join(',');
  const set = r.operator === 'in' || r.operator === 'notin';
  return `${r.key}${OP_TEXT[r.operator]}${set ? `(${vals})` : vals}`;
}

/** Byte-wise string order, like Go's sort.Strings for ASCII keys. */
function compareGo(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

class RequirementsSelector implements LabelSelector {
  constructor(private readonly reqs: LabelRequirement[]) {}
  matches(labels: Record<string, string> | undefined): boolean {
    const ls = labels ?? {};
    return this.reqs.every((r) => requirementMatches(r, ls));
  }
  isEmpty(): boolean {
    return this.reqs.length === 0;
  }
  toString(): string {
    return this.reqs.map(requirementString).join(',');
  }
  requirements(): LabelRequirement[] {
    return this.reqs.map((r) => ({ ...r, values: [...r.values] }));
  }
  requiresExactMatch(key: string): string | undefined {
    const r = this.reqs.find((x) => x.key === key);
    if (!r || !['=', '==', 'in'].includes(r.operator) || r.values.length !== 1) return undefined;
    return r.values[0];
  }
}

/** Matches nothing: what a nil `metav1.LabelSelector` means. */
class NothingSelector implements LabelSelector {
  matches(): boolean {
    return false;
  }
  isEmpty(): boolean {
    return false;
  }
  toString(): string {
    return '';
  }
  requirements(): LabelRequirement[] {
    return [];
  }
  requiresExactMatch(): string | undefined {
    return undefined;
  }
}

export function everythingLabelSelector(): LabelSelector {
  return new RequirementsSelector([]);
}

export function nothingLabelSelector(): LabelSelector {
  return new NothingSelector();
}

/** `labels.SelectorFromSet`: `k=v` for every entry; empty or missing set matches everything. */
export function labelSelectorFromSet(set: Record<string, string> | undefined): LabelSelector {
  const reqs = Object.keys(set ?? {})
    .sort(compareGo)
    .map((k): LabelRequirement => ({ key: k, operator: '=', values: [(set ?? {})[k]] }));
  return new RequirementsSelector(reqs);
}

// --- validation (labels.NewRequirement), with field.Error-style messages --------

type GoValue = string | string[];

function goValue(v: GoValue): string {
  return Array.isArray(v) ? `[]string{${v.map((s) => JSON.stringify(s)).join(', ')}}` : JSON.stringify(v);
}

function invalid(path: string, value: GoValue, detail: string): string {
  return `${path}: Invalid value: ${goValue(value)}: ${detail}`;
}

/** An aggregate of field errors prints bare when single, bracketed when several. */
function aggregate(errs: string[]): string | undefined {
  if (errs.length === 0) return undefined;
  const uniq = [...new Set(errs)];
  return uniq.length === 1 ? uniq[0] : `[${uniq.join(', ')}]`;
}

function validateKey(key: string, path: string): string | undefined {
  const errs = isQualifiedName(key);
  return errs.length ? invalid(path, key, errs.join('; ')) : undefined;
}

/** labels.NewRequirement: returns the error text, or undefined when valid. `root` is the field path prefix ('' for none). */
function checkRequirement(r: LabelRequirement, root: string): string | undefined {
  const at = (child: string) => (root ? `${root}.${child}` : child);
  const errs: string[] = [];
  const keyErr = validateKey(r.key, at('key'));
  if (keyErr) errs.push(keyErr);
  const valuesPath = at('values');
  switch (r.operator) {
    case 'in':
    case 'notin':
      if (r.values.length === 0) errs.push(invalid(valuesPath, r.values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (r.values.length !== 1) errs.push(invalid(valuesPath, r.values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (r.values.length !== 0) errs.push(invalid(valuesPath, r.values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (r.values.length !== 1) errs.push(invalid(valuesPath, r.values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      r.values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(invalid(`${valuesPath}[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
  }
  r.values.forEach((v, i) => {
    const vErrs = isValidLabelValue(v);
    if (vErrs.length) errs.push(invalid(`${valuesPath}[${i}][${r.key}]`, v, vErrs.join('; ')));
  });
  return aggregate(errs);
}

// --- metav1.LabelSelector -------------------------------------------------------

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

const EXPRESSION_OPS: Record<string, LabelOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelectorAsSelector: undefined/null matches nothing, `{}` matches everything.
 * Throws a 400 ApiError for an unknown operator or invalid key/values.
 */
export function labelSelectorFromObject(sel: LabelSelectorObject | undefined | null): LabelSelector {
  if (sel === undefined || sel === null) return nothingLabelSelector();
  const reqs: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key, operator: '=', values: [value] });
  for (const expr of sel.matchExpressions ?? []) {
    const op = Object.hasOwn(EXPRESSION_OPS, expr.operator) ? EXPRESSION_OPS[expr.operator] : undefined;
    if (!op) throw errors.badRequest(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    reqs.push({ key: expr.key, operator: op, values: [...(expr.values ?? [])] });
  }
  for (const r of reqs) {
    const err = checkRequirement(r, '');
    if (err) throw errors.badRequest(err);
  }
  // Selector.Add sorts requirements by key.
  return new RequirementsSelector(reqs.sort((a, b) => compareGo(a.key, b.key)));
}

/** metav1.FormatLabelSelector: the canonical string, `<none>` when empty, `<error>` when invalid. */
export function formatLabelSelector(sel: LabelSelectorObject | undefined | null): string {
  try {
    return labelSelectorFromObject(sel).toString() || '<none>';
  } catch {
    return '<error>';
  }
}

// --- string syntax (labels.Parse) ----------------------------------------------

type Tok = 'error' | 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';

interface Item {
  tok: Tok;
  lit: string;
}

const LITERAL_TOKENS: Record<string, Tok> = { ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', in: 'in', '<': '<', '!=': '!=', notin: 'notin', '(': '(' };

/** The token a literal spells, if any: own keys only, so a label named `constructor` or `toString` lexes as an identifier. */
function literalToken(s: string): Tok | undefined {
  return Object.hasOwn(LITERAL_TOKENS, s) ? LITERAL_TOKENS[s] : undefined;
}

const isWhitespace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string) => '=!(),><'.includes(c);

/** The apimachinery lexer: identifiers run until whitespace or an operator character. */
function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos])) pos++;
    if (pos >= s.length) {
      items.push({ tok: 'eos', lit: '' });
      return items;
    }
    if (isSpecial(s[pos])) {
      // Longest run of operator characters that still forms a token.
      let buf = '';
      let last: Item | undefined;
      while (pos < s.length && isSpecial(s[pos])) {
        buf += s[pos];
        const t = literalToken(buf);
        if (t) last = { tok: t, lit: buf };
        else if (last) break;
        pos++;
      }
      items.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buf}'` });
    } else {
      const start = pos;
      while (pos < s.length && !isSpecial(s[pos]) && !isWhitespace(s[pos])) pos++;
      const word = s.slice(start, pos);
      items.push({ tok: literalToken(word) ?? 'id', lit: word });
    }
  }
}

class ParseError extends Error {}

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  /** In value context the keywords `in`/`notin` are ordinary identifiers. */
  private peek(values: boolean): Item {
    const it = this.items[this.pos];
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'id', lit: it.lit } : it;
  }
  private next(values: boolean): Item {
    const it = this.peek(values);
    this.pos++;
    return it;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.peek(true);
      if (tok === 'eos') return reqs;
      if (tok !== 'id' && tok !== '!') throw new ParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(this.requirement());
      } catch (e) {
        if (e instanceof ParseError) throw new ParseError(`unable to parse requirement: ${e.message}`);
        throw e;
      }
      const after = this.next(true);
      if (after.tok === 'eos') return reqs;
      if (after.tok !== ',') throw new ParseError(`found '${after.lit}', expected: ',' or 'end of string'`);
      const following = this.peek(true);
      if (following.tok !== 'id' && following.tok !== '!') throw new ParseError(`found '${following.lit}', expected: identifier after ','`);
    }
  }

  private requirement(): LabelRequirement {
    let negated = false;
    let it = this.next(true);
    if (it.tok === '!') {
      negated = true;
      it = this.next(true);
    }
    if (it.tok !== 'id') throw new ParseError(`found '${it.lit}', expected: identifier`);
    const key = it.lit;
    const keyErr = validateKey(key, '<nil>');
    if (keyErr) throw new ParseError(keyErr);
    const la = this.peek(true).tok;
    if (negated || la === 'eos' || la === ',') {
      return this.checked({ key, operator: negated ? '!' : 'exists', values: [] });
    }
    const operator = this.operator();
    const values = operator === 'in' || operator === 'notin' ? this.valueSet() : this.exactValue();
    // sets.String.List(): de-duplicated and sorted.
    return this.checked({ key, operator, values: [...new Set(values)].sort(compareGo) });
  }

  private checked(r: LabelRequirement): LabelRequirement {
    const err = checkRequirement(r, '');
    if (err) throw new ParseError(err);
    return r;
  }

  private operator(): LabelOperator {
    const { tok, lit } = this.next(false);
    switch (tok) {
      case 'in':
        return 'in';
      case 'notin':
        return 'notin';
      case '=':
        return '=';
      case '==':
        return '==';
      case '!=':
        return '!=';
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      default:
        throw new ParseError(`found '${lit}', expected: ${BINARY_OPERATORS}`);
    }
  }

  private valueSet(): string[] {
    const open = this.next(true);
    if (open.tok !== '(') throw new ParseError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.peek(true);
    if (tok === ')') {
      this.pos++;
      return [''];
    }
    if (tok !== 'id' && tok !== ',') throw new ParseError(`found '${lit}', expected: ',', ')' or identifier`);
    const vals = this.identifierList();
    if (this.next(true).tok !== ')') throw new ParseError(`found '${lit}', expected: ')'`);
    return vals;
  }

  /** A comma-separated, possibly empty list; empty entries (`(a,,b)`, `(,a)`) stand for "". */
  private identifierList(): string[] {
    const vals: string[] = [];
    for (;;) {
      const { tok, lit } = this.next(true);
      if (tok === 'id') {
        vals.push(lit);
        const la = this.peek(true);
        if (la.tok === ',') continue;
        if (la.tok === ')') return vals;
        throw new ParseError(`found '${la.lit}', expected: ',' or ')'`);
      }
      if (tok !== ',') throw new ParseError(`found '${lit}', expected: ',', or identifier`);
      if (vals.length === 0) vals.push('');
      const la = this.peek(true).tok;
      if (la === ')') {
        vals.push('');
        return vals;
      }
      if (la === ',') {
        this.pos++;
        vals.push('');
      }
    }
  }

  private exactValue(): string[] {
    const la = this.peek(true).tok;
    if (la === 'eos' || la === ',') return [''];
    const { tok, lit } = this.next(true);
    if (tok === 'id') return [lit];
    throw new ParseError(`found '${lit}', expected: identifier`);
  }
}

/** labels.Parse. Throws a 400 ApiError with apimachinery's message on bad syntax. */
export function parseLabelSelector(s: string): LabelSelector {
  try {
    const reqs = new Parser(lex(s)).parse();
    // Sorted by key for a deterministic String().
    return new RequirementsSelector(reqs.sort((a, b) => compareGo(a.key, b.key)));
  } catch (e) {
    if (e instanceof ParseError) throw errors.badRequest(e.message);
    throw e;
  }
}
