// rbac.authorization.k8s.io/v1 Role (pkg/registry/rbac/role): namespaced rules, ValidateRole.
import { resourceInfo, type KindStrategy } from '../../strategy';
import { Role } from './protobuf';
import { rolePrinter } from './printers';
import { RBAC, RBAC_SCHEMAS } from './schemas';
import { validateRules } from './validation';

export const roleStrategy: KindStrategy = {
  info: resourceInfo({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', singular: 'role', kind: 'Role', namespaced: true, schemaRef: RBAC + 'Role' }),
  schemas: RBAC_SCHEMAS,
  validate: (obj) => validateRules(obj, true),
  printer: rolePrinter,
  protobuf: Role,
};
