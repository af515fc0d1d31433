// coordination.k8s.io/v1 Lease (pkg/registry/coordination/lease/strategy.go): stored as written
// (leader election and node heartbeats renew it), ValidateLeaseSpec's two bounds, and
// printLease's HOLDER column. The schema lives in schema/coordination.ts.

import { rec, str } from '../../printers/access';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../printers/columns';
import { timestampSince } from '../../printers/duration';
import { Lease } from '../../protobuf/workloads';
import { COORDINATION } from '../../schema/dsl';
import { causes, type StatusCause } from '../../status';
import { resourceInfo, type KindStrategy } from '../../strategy';
import type { Printer } from '../../table';
import type { KubeObject } from '../../types';
import { IS_NEGATIVE_MSG, num, rec as recOf } from '../../validation/field-errors';

/** ValidateLeaseSpec. */
function validateLease(obj: KubeObject): StatusCause[] {
  const spec = recOf(obj.spec) ?? {};
  const out: StatusCause[] = [];
  const duration = num(spec.leaseDurationSeconds);
  if (duration !== undefined && duration <= 0) out.push(causes.invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  const transitions = num(spec.leaseTransitions);
  if (transitions !== undefined && transitions < 0) out.push(causes.invalid('spec.leaseTransitions', transitions, IS_NEGATIVE_MSG));
  return out;
}

const leasePrinter: Printer = {
  columns: [NAME_COLUMN, column('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), AGE_COLUMN],
  print: (obj, now) => ({ cells: [obj.metadata?.name ?? '', str(rec(obj, 'spec'), 'holderIdentity'), timestampSince(obj.metadata?.creationTimestamp, now)] }),
};

export const leaseStrategy: KindStrategy = {
  info: resourceInfo({
    group: 'coordination.k8s.io',
    version: 'v1',
    resource: 'leases',
    singular: 'lease',
    kind: 'Lease',
    namespaced: true,
    schemaRef: COORDINATION + 'Lease',
  }),
  validate: validateLease,
  printer: leasePrinter,
  protobuf: Lease,
};
