// printRole/printClusterRole (NAME, CREATED AT) and printRoleBinding/printClusterRoleBinding
// (NAME, ROLE, AGE; wide: USERS, GROUPS, SERVICEACCOUNTS) of pkg/printers/internalversion.
import { AGE_COLUMN, NAME_COLUMN, column } from '../../printers/columns';
import { timestampSince } from '../../printers/duration';
import type { Printer } from '../../table';
import type { KubeObject } from '../../types';
import { arr, rec, str } from '../../validation/field-errors';

const CREATED_AT = column('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.');

export const rolePrinter: Printer = {
  columns: [NAME_COLUMN, CREATED_AT],
  print: (o) => ({ cells: [o.metadata?.name ?? '', o.metadata?.creationTimestamp ?? ''] }),
};

function subjectsOf(o: KubeObject, kind: string, namespaced: boolean): string {
  return arr(o.subjects)
    .map((s) => rec(s) ?? {})
    .filter((s) => s.kind === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${str(s.namespace) ?? ''}/${str(s.name) ?? ''}` : str(s.name) ?? ''))
    .join(', ');
}

export function bindingPrinter(namespaced: boolean): Printer {
  return {
    columns: [
      NAME_COLUMN,
      column('Role', 'string', 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.'),
      AGE_COLUMN,
      column('Users', 'string', 'Users in the roleBinding', 1),
      column('Groups', 'string', 'Groups in the roleBinding', 1),
      column('ServiceAccounts', 'string', 'ServiceAccounts in the roleBinding', 1),
    ],
    print: (o, now) => {
      const ref = rec(o.roleRef) ?? {};
      return {
        cells: [
          o.metadata?.name ?? '',
          `${str(ref.kind) ?? ''}/${str(ref.name) ?? ''}`,
          timestampSince(o.metadata?.creationTimestamp, now),
          subjectsOf(o, 'User', namespaced),
          subjectsOf(o, 'Group', namespaced),
          subjectsOf(o, 'ServiceAccount', namespaced),
        ],
      };
    },
  };
}
