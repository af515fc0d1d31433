// core/v1 ServiceAccount (pkg/registry/core/serviceaccount): stored as written, with the
// `token` subresource (TokenRequest, served by the gateway) and printServiceAccount's SECRETS
// column. ValidateServiceAccount adds nothing beyond ObjectMeta and the schema here. The
// schema lives in schema/core.ts.

import { size } from '../../printers/access';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../printers/columns';
import { timestampSince } from '../../printers/duration';
import { ServiceAccount } from '../../protobuf/core';
import { CORE } from '../../schema/dsl';
import { resourceInfo, type KindStrategy } from '../../strategy';
import type { Printer } from '../../table';

const serviceAccountPrinter: Printer = {
  columns: [NAME_COLUMN, column('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), AGE_COLUMN],
  print: (obj, now) => ({ cells: [obj.metadata?.name ?? '', size(obj, 'secrets'), timestampSince(obj.metadata?.creationTimestamp, now)] }),
};

export const serviceAccountStrategy: KindStrategy = {
  info: resourceInfo({
    group: '',
    version: 'v1',
    resource: 'serviceaccounts',
    singular: 'serviceaccount',
    kind: 'ServiceAccount',
    namespaced: true,
    shortNames: ['sa'],
    subresources: [{ name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] }],
    schemaRef: CORE + 'ServiceAccount',
  }),
  printer: serviceAccountPrinter,
  protobuf: ServiceAccount,
};
