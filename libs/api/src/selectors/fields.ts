// Field selectors with the semantics of k8s.io/apimachinery/pkg/fields plus the
// per-resource field-label conversion kube-apiserver applies: only the fields a
// resource registers are selectable, and values are the Go stringification of the
// object's fields (missing → "", booleans "true"/"false", numbers decimal).

import { errors } from '../status';
import { isRecord, type KubeObject } from '../types';

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

export interface FieldSelector {
  matches(obj: KubeObject): boolean;
  requirements(): FieldRequirement[];
  isEmpty(): boolean;
  /** Canonical form, values escaped, as `fields.Selector.String()` prints it. */
  toString(): string;
  /** The value an `=` term demands for `field`, if any (e.g. `metadata.name` for kubectl's delete wait). */
  requiresExactMatch(field: string): string | undefined;
}

// --- selectable fields per resource -------------------------------------------

/** How a selectable field reads its value from an object. */
type FieldReader = (obj: KubeObject) => string;

const path =
  (p: string, missing = ''): FieldReader =>
  (obj) =>
    stringify(lookup(obj, p.split('.')), missing);

const META_FIELDS: Record<string, FieldReader> = {
  'metadata.name': path('metadata.name'),
  'metadata.namespace': path('metadata.namespace'),
};

/** Resources with their own field-label conversion (others fall back to the metadata default). */
const RESOURCE_FIELDS: Record<string, Record<string, FieldReader>> = {
  pods: {
    'spec.nodeName': path('spec.nodeName'),
    'spec.restartPolicy': path('spec.restartPolicy'),
    'spec.schedulerName': path('spec.schedulerName'),
    'spec.serviceAccountName': path('spec.serviceAccountName'),
    'spec.hostNetwork': path('spec.hostNetwork', 'false'),
    'status.phase': path('status.phase'),
    // The first of status.podIPs, like the pod strategy; status.podIP if only that is set.
    'status.podIP': (obj) => stringify(lookup(obj, ['status', 'podIPs', '0', 'ip'])) || stringify(lookup(obj, ['status', 'podIP'])),
    'status.nominatedNodeName': path('status.nominatedNodeName'),
  },
  events: {
    'involvedObject.kind': path('involvedObject.kind'),
    'involvedObject.namespace': path('involvedObject.namespace'),
    'involvedObject.name': path('involvedObject.name'),
    'involvedObject.uid': path('involvedObject.uid'),
    'involvedObject.apiVersion': path('involvedObject.apiVersion'),
    'involvedObject.resourceVersion': path('involvedObject.resourceVersion'),
    'involvedObject.fieldPath': path('involvedObject.fieldPath'),
    reason: path('reason'),
    reportingComponent: path('reportingComponent'),
    // source.component, else the reporting controller (events.k8s.io-written events).
    source: (obj) => stringify(lookup(obj, ['source', 'component'])) || stringify(lookup(obj, ['reportingComponent'])),
    type: path('type'),
  },
  nodes: { 'spec.unschedulable': path('spec.unschedulable', 'false') },
  namespaces: { 'status.phase': path('status.phase') },
  replicasets: { 'status.replicas': path('status.replicas', '0') },
};

function fieldsOf(resource: string): Record<string, FieldReader> {
  return { ...META_FIELDS, ...(resourceFields(resource) ?? {}) };
}

/** Own entries only: a resource (or field) named `constructor` is not Object's. */
function resourceFields(resource: string): Record<string, FieldReader> | undefined {
  return Object.hasOwn(RESOURCE_FIELDS, resource) ? RESOURCE_FIELDS[resource] : undefined;
}

/** The field labels `resource` accepts in a field selector. */
export function selectableFields(resource: string): string[] {
  return Object.keys(fieldsOf(resource));
}

function unsupported(resource: string, field: string): Error {
  // Resources with a registered conversion say "field label not supported"; the
  // default conversion (configmaps, deployments, leases…) names what it allows.
  return resourceFields(resource)
    ? errors.badRequest(`field label not supported: ${field}`)
    : errors.badRequest(`${JSON.stringify(field)} is not a known field selector: only "metadata.name", "metadata.namespace"`);
}

function lookup(obj: unknown, segments: string[]): unknown {
  let cur: unknown = obj;
  for (const s of segments) {
    if (Array.isArray(cur) && /^[0-9]+$/.test(s)) cur = cur[Number(s)];
    else if (isRecord(cur)) cur = Object.hasOwn(cur, s) ? cur[s] : undefined;
    else return undefined;
  }
  return cur;
}

function stringify(v: unknown, missing = ''): string {
  if (v === undefined || v === null) return missing;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toFixed(0) : String(v);
  return missing;
}

/**
 * The value `field` has on `obj` for selector matching, Kubernetes-stringified.
 * Supported labels use the resource's own rules (derived from `obj.kind`); any other
 * dotted path is read as-is.
 */
export function fieldValue(obj: KubeObject, field: string): string {
  const readers = fieldsOf(resourceForKind(obj.kind));
  const reader = Object.hasOwn(readers, field) ? readers[field] : undefined;
  return reader ? reader(obj) : stringify(lookup(obj, field.split('.')));
}

const KIND_TO_RESOURCE: Record<string, string> = { Pod: 'pods', Event: 'events', Node: 'nodes', Namespace: 'namespaces', ReplicaSet: 'replicasets' };

function resourceForKind(kind: string): string {
  return Object.hasOwn(KIND_TO_RESOURCE, kind) ? KIND_TO_RESOURCE[kind] : '';
}

// --- syntax ------------------------------------------------------------------

/** Splits on commas not escaped by a backslash; escapes stay in the terms. */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (escaped) escaped = false;
    else if (c === '\\') escaped = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

const TERM_OPERATORS = ['!=', '==', '='] as const;

/** The first operator occurrence splits the term; the left side has no escaping. */
function splitTerm(term: string): { lhs: string; op: (typeof TERM_OPERATORS)[number]; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/** fields.UnescapeValue: `\\`, `\,`, `\=` are the only escapes; bare `,`/`=` are errors. */
export function unescapeFieldValue(s: string): string {
  let out = '';
  let escaped = false;
  for (const c of s) {
    if (escaped) {
      if (c !== '\\' && c !== ',' && c !== '=') throw errors.badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      escaped = false;
    } else if (c === '\\') escaped = true;
    else if (c === ',' || c === '=') {
      // Go prints the rune with %v: its code point.
      throw errors.badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else out += c;
  }
  if (escaped) throw errors.badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

class TermsSelector implements FieldSelector {
  constructor(
    private readonly terms: FieldRequirement[],
    private readonly readers: Record<string, FieldReader>,
  ) {}
  matches(obj: KubeObject): boolean {
    return this.terms.every((t) => {
      const reader = Object.hasOwn(this.readers, t.field) ? this.readers[t.field] : undefined;
      const actual = reader ? reader(obj) : stringify(lookup(obj, t.field.split('.')));
      return t.op === '=' ? actual === t.value : actual !== t.value;
    });
  }
  requirements(): FieldRequirement[] {
    return this.terms.map((t) => ({ ...t }));
  }
  isEmpty(): boolean {
    return this.terms.length === 0;
  }
  toString(): string {
    return this.terms.map((t) => `${t.field}${t.op}${escapeFieldValue(t.value)}`).join(',');
  }
  requiresExactMatch(field: string): string | undefined {
    return this.terms.find((t) => t.field === field && t.op === '=')?.value;
  }
}

/**
 * fields.ParseSelector followed by the resource's field-label conversion.
 * `resource` is the plural resource name (`pods`, `events`, `deployments`…).
 * Throws a 400 ApiError for bad syntax or an unsupported field label.
 */
export function parseFieldSelector(s: string, resource: string): FieldSelector {
  const parts = splitTerms(s).sort();
  const terms: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) throw errors.badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    terms.push({ field: split.lhs, op: split.op === '!=' ? '!=' : '=', value: unescapeFieldValue(split.rhs) });
  }
  const readers = fieldsOf(resource);
  for (const t of terms) if (!Object.hasOwn(readers, t.field)) throw unsupported(resource, t.field);
  return new TermsSelector(terms, readers);
}

/** A selector that matches everything. */
export function everythingFieldSelector(): FieldSelector {
  return new TermsSelector([], {});
}
