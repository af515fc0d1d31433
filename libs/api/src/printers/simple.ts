// The NAME AGE printer of every kind without columns of its own.

import type { KubeObject } from '../types';
import type { Printer, PrintedRow, TableCell } from '../table';
import { AGE_COLUMN, NAME_COLUMN } from './columns';
import { timestampSince } from './duration';

/** Name, the given cells, then Age. */
function row(obj: KubeObject, now: Date, ...cells: TableCell[]): PrintedRow {
  return { cells: [obj.metadata?.name ?? '', ...cells, timestampSince(obj.metadata?.creationTimestamp, now)] };
}

/** Any resource without a printer of its own. */
export const defaultPrinter: Printer = {
  columns: [NAME_COLUMN, AGE_COLUMN],
  print: (obj, now) => row(obj, now),
};
