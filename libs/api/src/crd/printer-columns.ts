// Server-side printing of custom objects from `additionalPrinterColumns` (apiextensions'
// tableconvertor): NAME, then each column's JSONPath value; `date` columns print as an age.
// Without columns a CRD prints NAME and AGE.
import { AGE_COLUMN, NAME_COLUMN } from '../printers/columns';
import { timestampSince } from '../printers/duration';
import type { Printer, TableCell } from '../table';
import { evaluateJsonPath, parseJsonPath } from './jsonpath';
import type { CustomResourceColumnDefinition } from './types';

export function customResourcePrinter(columns: CustomResourceColumnDefinition[] | undefined): Printer {
  if (!columns || columns.length === 0) {
    return { columns: [NAME_COLUMN, AGE_COLUMN], print: (o, now) => ({ cells: [o.metadata.name ?? '', timestampSince(o.metadata.creationTimestamp, now)] }) };
  }
  const parsed = columns.map((c) => ({ def: c, steps: parseJsonPath(c.jsonPath) }));
  return {
    columns: [NAME_COLUMN, ...columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 }))],
    print: (obj, now) => ({
      cells: [obj.metadata.name ?? '', ...parsed.map(({ def, steps }) => cell(evaluateJsonPath(obj, steps), def.type, now))],
    }),
  };
}

function cell(values: unknown[], type: string, now: Date): TableCell {
  if (values.length === 0 || values[0] === null) return '<none>';
  if (type === 'date') return timestampSince(values[0], now);
  if (values.length === 1) {
    const v = values[0];
    if ((type === 'integer' || type === 'number') && typeof v === 'number') return v;
    if (type === 'boolean' && typeof v === 'boolean') return v;
    return typeof v === 'string' ? v : JSON.stringify(v);
  }
  return values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(',');
}
