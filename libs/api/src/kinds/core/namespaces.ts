// core/v1 Namespace (pkg/registry/core/namespace/strategy.go): the `kubernetes.io/metadata.name`
// label, an Active phase, the `kubernetes` finalizer added on create and changed only through
// /finalize, ValidateNamespace's finalizer names, and printNamespace's STATUS column.
// Namespaces cannot be deleted as a collection. The schema lives in schema/core.ts.

import { def, objAt, setOrDelete } from '../../defaults';
import { rec as recAt, str as strAt } from '../../printers/access';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../printers/columns';
import { timestampSince } from '../../printers/duration';
import { Namespace } from '../../protobuf/core';
import { CORE } from '../../schema/dsl';
import { causes, type StatusCause } from '../../status';
import { resourceInfo, statusSubresource, type KindStrategy } from '../../strategy';
import type { Printer } from '../../table';
import type { KubeObject } from '../../types';
import { arr, rec } from '../../validation/field-errors';
import { isQualifiedName } from '../../validation/names';

const STANDARD_FINALIZERS = ['kubernetes', 'orphan', 'foregroundDeletion'];

const info = resourceInfo({
  group: '',
  version: 'v1',
  resource: 'namespaces',
  singular: 'namespace',
  kind: 'Namespace',
  namespaced: false,
  shortNames: ['ns'],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  schemaRef: CORE + 'Namespace',
});
info.subresources = [{ name: 'finalize', kind: 'Namespace', group: '', version: 'v1', verbs: ['update'] }, statusSubresource(info)];

/** SetDefaults_Namespace and SetDefaults_NamespaceStatus. */
function defaultNamespace(o: KubeObject): void {
  // Namespaces carry their own name as a label so selectors can target them.
  const name = o.metadata?.name;
  if (name) o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name };
  def(objAt(o, 'status'), 'phase', 'Active');
}

/** ValidateNamespace: each finalizer is a standard one or a qualified name with a `/`. */
function validateNamespace(obj: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  for (const f of arr(rec(obj.spec)?.finalizers)) {
    const name = typeof f === 'string' ? f : '';
    for (const m of isQualifiedName(name)) out.push(causes.invalid('spec.finalizers', name, m));
    if (!name.includes('/') && !STANDARD_FINALIZERS.includes(name)) {
      out.push(causes.invalid('spec.finalizers', name, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  }
  return out;
}

const namespacePrinter: Printer = {
  columns: [NAME_COLUMN, column('Status', 'string', 'The status of the namespace'), AGE_COLUMN],
  print: (obj, now) => ({ cells: [obj.metadata?.name ?? '', strAt(recAt(obj, 'status'), 'phase'), timestampSince(obj.metadata?.creationTimestamp, now)] }),
};

export const namespaceStrategy: KindStrategy = {
  info,
  defaults: defaultNamespace,
  prepareForCreate(obj) {
    obj.status = { phase: 'Active' };
    // Namespaces are created with the `kubernetes` finalizer; the namespace controller removes it.
    const spec = objAt(obj, 'spec');
    const finalizers = Array.isArray(spec.finalizers) ? (spec.finalizers as unknown[]) : [];
    if (!finalizers.includes('kubernetes')) spec.finalizers = [...finalizers, 'kubernetes'];
  },
  prepareForUpdate(obj, old, subresource) {
    if (subresource === 'status') return;
    // Namespace finalizers change only through /finalize.
    setOrDelete(objAt(obj, 'spec'), 'finalizers', rec(old.spec)?.finalizers);
  },
  validate: validateNamespace,
  printer: namespacePrinter,
  protobuf: Namespace,
};
