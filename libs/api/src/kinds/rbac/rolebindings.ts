// rbac.authorization.k8s.io/v1 RoleBinding (pkg/registry/rbac/rolebinding): a Role or
// ClusterRole granted to subjects in one namespace; roleRef is immutable.
import { resourceInfo, type KindStrategy } from '../../strategy';
import { RoleBinding } from './protobuf';
import { bindingPrinter } from './printers';
import { RBAC } from './schemas';
import { defaultBinding, validateRoleRef, validateRoleRefUnchanged, validateSubjects } from './validation';

export const roleBindingStrategy: KindStrategy = {
  info: resourceInfo({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', singular: 'rolebinding', kind: 'RoleBinding', namespaced: true, schemaRef: RBAC + 'RoleBinding' }),
  defaults: defaultBinding,
  validate: (obj, old) => [...validateRoleRef(obj, ['Role', 'ClusterRole']), ...validateSubjects(obj, true), ...(old ? validateRoleRefUnchanged(obj, old) : [])],
  printer: bindingPrinter(true),
  protobuf: RoleBinding,
};
