// rbac.authorization.k8s.io/v1 ClusterRoleBinding (pkg/registry/rbac/clusterrolebinding): a
// ClusterRole granted cluster-wide; ServiceAccount subjects name their namespace.
import { resourceInfo, type KindStrategy } from '../../strategy';
import { RoleBinding } from './protobuf';
import { bindingPrinter } from './printers';
import { RBAC } from './schemas';
import { defaultBinding, validateRoleRef, validateRoleRefUnchanged, validateSubjects } from './validation';

export const clusterRoleBindingStrategy: KindStrategy = {
  info: resourceInfo({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings', singular: 'clusterrolebinding', kind: 'ClusterRoleBinding', namespaced: false, schemaRef: RBAC + 'ClusterRoleBinding' }),
  defaults: defaultBinding,
  validate: (obj, old) => [...validateRoleRef(obj, ['ClusterRole']), ...validateSubjects(obj, false), ...(old ? validateRoleRefUnchanged(obj, old) : [])],
  printer: bindingPrinter(false),
  protobuf: RoleBinding,
};
