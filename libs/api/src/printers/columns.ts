// Column-definition helpers shared by the printers.

import type { TableColumnDefinition } from '../table';

export function column(name: string, type: string, description: string, priority = 0): TableColumnDefinition {
  return { name, type, format: '', description, priority };
}

export const NAME_COLUMN: TableColumnDefinition = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  priority: 0,
};

export const AGE_COLUMN = column('Age', 'string', 'CreationTimestamp is a timestamp representing the server time when this object was created.');

export const TEMPLATE_COLUMNS = [
  column('Containers', 'string', 'Names of each container in the template.', 1),
  column('Images', 'string', 'Images referenced by each container in the template.', 1),
];
