// A subset of OpenAPI v3 / JSON Schema, with the Kubernetes extensions that drive
// strategic merge patch and kubectl. One schema per kind is the single source for
// validation, patch strategy, the served OpenAPI documents and `kubectl explain`.

export interface SchemaNode {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  format?: string; // int32, int64, date-time, int-or-string, byte
  enum?: (string | number)[];
  default?: unknown;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  /** map[string]T */
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  /** `$ref` to `#/components/schemas/<name>`; resolved through the schema registry. */
  $ref?: string;
  allOf?: SchemaNode[];
  /** Quantity (string | number) and IntOrString (integer | string), as upstream v3 serves them. */
  oneOf?: SchemaNode[];
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  /** e.g. `merge`, `retainKeys`, `merge,retainKeys`, `replace` */
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  minLength?: number;
  [ext: `x-${string}`]: unknown;
}

/** Resolves `$ref` names (`io.k8s.api.core.v1.Pod`) to schema nodes. */
export type SchemaResolver = (ref: string) => SchemaNode | undefined;
