// Kinds with one or two plain columns, and the NAME AGE fallback for the rest.

import type { KubeObject } from '../types';
import type { Printer, PrintedRow, TableCell } from '../table';
import { rec, str } from './access';
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

/** Any resource without a printer of its own. */
export const defaultPrinter: Printer = {
  columns: [NAME_COLUMN, AGE_COLUMN],
  print: (obj, now) => row(obj, now),
};
