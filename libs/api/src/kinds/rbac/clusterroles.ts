// rbac.authorization.k8s.io/v1 ClusterRole (pkg/registry/rbac/clusterrole): cluster rules,
// non-resource URLs allowed, and an optional aggregationRule whose rules the gateway fills
// (services/api-gateway/src/authz/aggregation.ts), as kube's clusterrole-aggregation controller.
import { resourceInfo, type KindStrategy } from '../../strategy';
import { ClusterRole } from './protobuf';
import { rolePrinter } from './printers';
import { RBAC } from './schemas';
import { validateAggregationRule, validateRules } from './validation';

export const clusterRoleStrategy: KindStrategy = {
  info: resourceInfo({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', singular: 'clusterrole', kind: 'ClusterRole', namespaced: false, schemaRef: RBAC + 'ClusterRole' }),
  validate: (obj) => [...validateRules(obj, false), ...validateAggregationRule(obj)],
  printer: rolePrinter,
  protobuf: ClusterRole,
};
