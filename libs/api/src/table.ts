// Server-side printing: the `meta.k8s.io/v1` Table that kubectl asks for with
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`. Columns and cells follow
// kube-apiserver's printers (pkg/printers/internalversion/printers.go) so that
// `kubectl get` and `-o wide` look as they do against a real cluster.

import type { ResourceInfo } from './registry';
import type { KubeObject, ListMeta, ObjectMeta } from './types';
import { printerFor } from './printers';

export interface TableColumnDefinition {
  /** Kubernetes' casing (`Name`, `Up-to-date`, `Nominated Node`); kubectl upper-cases it. */
  name: string;
  /** OpenAPI type: `string`, `integer`, `number`, `boolean`, `date`. */
  type: string;
  /** `name` for the column identifying the object, else ''. */
  format: string;
  description: string;
  /** 0: always shown; 1: shown with `-o wide`. */
  priority: number;
}

export type TableCell = string | number | boolean;

export interface TableRowCondition {
  type: 'Completed';
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ObjectMeta;
}

export interface TableRow {
  cells: TableCell[];
  conditions?: TableRowCondition[];
  /** Per `includeObject`: PartialObjectMetadata (default), the full object, or absent. */
  object?: PartialObjectMetadata | KubeObject;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ListMeta;
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

/** The `includeObject` query parameter of a Table request. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  /** Defaults to `Metadata`, as for kube-apiserver. */
  includeObject?: IncludeObject;
  /** The clock for AGE columns; defaults to the current time. */
  now?: Date;
  /** Copied into the table's metadata (resourceVersion, continue, remainingItemCount). */
  listMeta?: ListMeta;
}

/** What a printer produces for one object; `toTable` adds the row's object. */
export interface PrintedRow {
  cells: TableCell[];
  conditions?: TableRowCondition[];
}

/** Column definitions and the row function for one kind. */
export interface Printer {
  columns: TableColumnDefinition[];
  print(obj: KubeObject, now: Date): PrintedRow;
}

/** Renders `objects` (all of resource `info`) as a Table. A watch event uses a one-object call. */
export function toTable(info: ResourceInfo, objects: KubeObject[], opts: TableOptions = {}): Table {
  const printer = printerFor(info);
  const now = opts.now ?? new Date();
  const include = opts.includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMetaOf(opts.listMeta),
    columnDefinitions: printer.columns.map((c) => ({ ...c })),
    rows: objects.map((obj) => {
      const printed = printer.print(obj, now);
      const row: TableRow = { cells: printed.cells };
      if (printed.conditions) row.conditions = printed.conditions;
      if (include === 'Object') row.object = obj;
      else if (include === 'Metadata') row.object = partialObjectMetadata(obj);
      return row;
    }),
  };
}

export function partialObjectMetadata(obj: KubeObject): PartialObjectMetadata {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

function listMetaOf(lm: ListMeta | undefined): ListMeta {
  const out: ListMeta = {};
  if (lm?.resourceVersion !== undefined) out.resourceVersion = lm.resourceVersion;
  if (lm?.continue) out.continue = lm.continue;
  if (lm?.remainingItemCount !== undefined) out.remainingItemCount = lm.remainingItemCount;
  return out;
}

export { humanDuration, timestampSince } from './printers/duration';
