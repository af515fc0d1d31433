// apps/v1 ControllerRevision (pkg/registry/apps/controllerrevision/strategy.go): an
// immutable snapshot of a StatefulSet's or DaemonSet's template, written by their
// controllers; `data` cannot change once stored. Printed as NAME CONTROLLER REVISION AGE.

import type { KindStrategy } from '../../strategy';
import { resourceInfo } from '../../strategy';
import { getControllerOf } from '../../owner-references';
import type { KubeObject } from '../../types';
import { causes } from '../../status';
import type { Printer } from '../../table';
import { APPS } from '../../schema/dsl';
import { IMMUTABLE_MSG, invalidRendered, jsonEqual, nonNegative } from '../../validation/field-errors';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../printers/columns';
import { timestampSince } from '../../printers/duration';
import { APPS_WORKLOAD_SCHEMAS } from './schemas';
import { ControllerRevision } from './protobuf';

const info = resourceInfo({
  group: 'apps',
  version: 'v1',
  resource: 'controllerrevisions',
  singular: 'controllerrevision',
  kind: 'ControllerRevision',
  namespaced: true,
  schemaRef: APPS + 'ControllerRevision',
});

/** `statefulset.apps/web`: the controller owner as formatResourceName prints it, `<none>` without one. */
export function controllerName(obj: KubeObject): string {
  const owner = obj.metadata && getControllerOf(obj);
  if (!owner) return '<none>';
  const slash = owner.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : owner.apiVersion.slice(0, slash);
  return `${(group ? `${owner.kind}.${group}` : owner.kind).toLowerCase()}/${owner.name}`;
}

export const controllerRevisionPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Controller', 'string', 'Controller of the object'),
    column('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'),
    AGE_COLUMN,
  ],
  print: (obj, now) => ({
    cells: [obj.metadata?.name ?? '', controllerName(obj), typeof obj.revision === 'number' ? obj.revision : 0, timestampSince(obj.metadata?.creationTimestamp, now)],
  }),
};

export const controllerRevisionStrategy: KindStrategy = {
  info,
  schemas: APPS_WORKLOAD_SCHEMAS,
  validate(obj, old) {
    const out = [];
    if (obj.data === undefined || obj.data === null) out.push(causes.required('data', 'Required value: data is mandatory'));
    out.push(...nonNegative(obj.revision, 'revision'));
    if (old && !jsonEqual(obj.data, old.data)) out.push(invalidRendered('data', 'runtime.RawExtension{...}', IMMUTABLE_MSG));
    return out;
  },
  printer: controllerRevisionPrinter,
  protobuf: ControllerRevision,
};
