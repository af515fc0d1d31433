// Patch metadata for strategic merge patch, read from the OpenAPI schema the way
// apimachinery's PatchMetaFromOpenAPI does: a field's `x-kubernetes-patch-strategy`
// and `x-kubernetes-patch-merge-key` sit on the property node (or on the node its
// `$ref` / single-entry `allOf` leads to). A missing schema means "no metadata":
// the merge falls back to JSON-merge semantics (maps merge, lists replace).

import { errors } from '../status';
import { SchemaNode, SchemaResolver } from '../schema/types';

/** What the merge needs to know about one field. */
export interface FieldPatchMeta {
  /** The field's schema node (unresolved; callers resolve when they descend), if known. */
  node: SchemaNode | undefined;
  /** `merge` merges lists, `replace` replaces maps; '' is the default (lists replace, maps merge). */
  strategy: string;
  /** Merge key for lists of maps; '' for primitive lists or unknown. */
  mergeKey: string;
}

const MAX_REF_DEPTH = 32;

export class PatchSchema {
  constructor(private readonly resolve: SchemaResolver) {}

  /** The node and everything its `$ref` / single `allOf` lead to, outermost first. */
  private chain(node: SchemaNode | undefined): SchemaNode[] {
    const out: SchemaNode[] = [];
    let cur = node;
    while (cur && out.length < MAX_REF_DEPTH) {
      out.push(cur);
      if (cur.$ref) cur = this.lookupRef(cur.$ref);
      else if (cur.allOf && cur.allOf.length === 1) cur = cur.allOf[0];
      else break;
    }
    return out;
  }

  private lookupRef(ref: string): SchemaNode | undefined {
    // `#/components/schemas/io.k8s.api.core.v1.Pod` (v3) or `#/definitions/…` (v2) → the name.
    const name = ref.slice(ref.lastIndexOf('/') + 1);
    return this.resolve(name) ?? this.resolve(ref);
  }

  /** The structural node: where `properties`, `items`, `additionalProperties` live. */
  structural(node: SchemaNode | undefined): SchemaNode | undefined {
    const c = this.chain(node);
    return c.length ? c[c.length - 1] : undefined;
  }

  private extension(node: SchemaNode | undefined, name: 'x-kubernetes-patch-strategy' | 'x-kubernetes-patch-merge-key'): string {
    for (const n of this.chain(node)) {
      const v = n[name];
      if (typeof v === 'string' && v !== '') return v;
    }
    return '';
  }

  /** Schema of map member `key` under `parent`, or undefined where the schema says nothing. */
  child(parent: SchemaNode | undefined, key: string): SchemaNode | undefined {
    const s = this.structural(parent);
    if (!s) return undefined;
    if (s.properties && Object.prototype.hasOwnProperty.call(s.properties, key)) return s.properties[key];
    if (typeof s.additionalProperties === 'object') return s.additionalProperties;
    return undefined;
  }

  /** Whether `key` is a declared property of `parent` (used to tell data keys from directives). */
  declares(parent: SchemaNode | undefined, key: string): boolean {
    return this.child(parent, key) !== undefined;
  }

  /** True when the schema is known here and does not allow arbitrary members. */
  isClosed(node: SchemaNode | undefined): boolean {
    const s = this.structural(node);
    return !!s && !s['x-kubernetes-preserve-unknown-fields'] && typeof s.additionalProperties !== 'object' && s.additionalProperties !== true;
  }

  /** Schema of the elements of list `node`. */
  items(node: SchemaNode | undefined): SchemaNode | undefined {
    return this.structural(node)?.items;
  }

  /** Patch metadata of member `key` of map `parent`. */
  field(parent: SchemaNode | undefined, key: string): FieldPatchMeta {
    const node = this.child(parent, key);
    return {
      node,
      strategy: retainKeysFree(this.extension(node, 'x-kubernetes-patch-strategy')),
      mergeKey: this.extension(node, 'x-kubernetes-patch-merge-key'),
    };
  }
}

/**
 * apimachinery `extractRetainKeysPatchStrategy`: `retainKeys` only shapes the patches
 * clients compute; when applying, `merge,retainKeys` behaves as `merge`.
 */
function retainKeysFree(raw: string): string {
  const parts = raw === '' ? [] : raw.split(',').map((p) => p.trim());
  if (parts.length === 0) return '';
  if (parts.length === 1) return parts[0] === 'retainKeys' ? '' : parts[0];
  if (parts.length === 2 && parts.includes('retainKeys')) {
    const other = parts.find((p) => p !== 'retainKeys');
    if (other === 'merge') return 'merge';
  }
  throw errors.badRequest(`unexpected patch strategy: ${raw}`);
}
