// Kinds with one or two plain columns, and the NAME AGE fallback for the rest.

import type { KubeObject } from '../types';
import type { Printer, PrintedRow, TableCell } from '../table';
import { rec, size, str } from './access';
import { AGE_COLUMN, NAME_COLUMN, column } from './columns';
import { timestampSince } from './duration';

/** Name, the given cells, then Age. */
function row(obj: KubeObject, now: Date, ...cells: TableCell[]): PrintedRow {
  return { cells: [obj.metadata?.name ?? '', ...cells, timestampSince(obj.metadata?.creationTimestamp, now)] };
}

export const namespacePrinter: Printer = {
  columns: [NAME_COLUMN, column('Status', 'string', 'The status of the namespace'), AGE_COLUMN],
  print: (obj, now) => row(obj, now, str(rec(obj, 'status'), 'phase')),
};

export const configMapPrinter: Printer = {
  columns: [NAME_COLUMN, column('Data', 'string', 'Data contains the configuration data.'), AGE_COLUMN],
  print: (obj, now) => row(obj, now, size(obj, 'data') + size(obj, 'binaryData')),
};

export const serviceAccountPrinter: Printer = {
  columns: [NAME_COLUMN, column('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), AGE_COLUMN],
  print: (obj, now) => row(obj, now, size(obj, 'secrets')),
};

/** Any resource without a printer of its own. */
export const defaultPrinter: Printer = {
  columns: [NAME_COLUMN, AGE_COLUMN],
  print: (obj, now) => row(obj, now),
};
