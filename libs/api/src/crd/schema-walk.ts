// Shared helpers of the custom-resource schema engine: JSON kinds, field paths and
// reading a JSONSchemaProps' children (properties, additionalProperties, items).
import { isRecord } from '../types';
import type { JSONSchemaProps } from './types';

export type JsonKind = 'null' | 'array' | 'object' | 'string' | 'integer' | 'number' | 'boolean';

export function jsonKind(v: unknown): JsonKind {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'string' || typeof v === 'boolean') return typeof v as JsonKind;
  return 'object';
}

/** `spec` + `replicas` → `spec.replicas`; the root is the empty path. */
export function childPath(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

export const indexPath = (path: string, i: number): string => `${path}[${i}]`;

/** The schema of property `key` of an object node, or undefined when it is unknown there. */
export function propertySchema(schema: JSONSchemaProps, key: string): JSONSchemaProps | undefined {
  const p = schema.properties?.[key];
  if (p) return p;
  return isRecord(schema.additionalProperties) ? (schema.additionalProperties as JSONSchemaProps) : undefined;
}

/** Whether unknown keys of an object under this node are kept (not pruned). */
export function preservesUnknown(schema: JSONSchemaProps): boolean {
  return schema['x-kubernetes-preserve-unknown-fields'] === true || schema.additionalProperties === true;
}

/** Embedded resources carry apiVersion, kind and metadata even when the schema names none. */
export const EMBEDDED_KEYS = ['apiVersion', 'kind', 'metadata'];
