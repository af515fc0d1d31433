// OpenAPI components of rbac.authorization.k8s.io/v1 (staging/src/k8s.io/api/rbac/v1/types.go):
// Role, ClusterRole (with aggregationRule), RoleBinding, ClusterRoleBinding and their lists.
import type { SchemaNode } from '../../schema/types';
import { API_VERSION_PROPERTY, KIND_PROPERTY, META, arr, atomic, gvk, item, obj, ref, str, strArr } from '../../schema/dsl';

export const RBAC = 'io.k8s.api.rbac.v1.';
const GROUP = 'rbac.authorization.k8s.io';
const LIST_META = ref(META + 'ListMeta', 'Standard object\'s metadata.');
const OBJECT_META = ref(META + 'ObjectMeta', 'Standard object\'s metadata.');

const list = (kind: string, description: string): SchemaNode =>
  obj(`${kind}List is a collection of ${description}`, {
    apiVersion: API_VERSION_PROPERTY,
    items: arr(item(RBAC + kind), `Items is a list of ${description}`),
    kind: KIND_PROPERTY,
    metadata: LIST_META,
  }, ['items'], gvk(GROUP, 'v1', `${kind}List`));

export const RBAC_SCHEMAS: Record<string, SchemaNode> = {
  [RBAC + 'PolicyRule']: obj('PolicyRule holds information that describes a policy rule, but does not contain information about who the rule applies to or which namespace the rule applies to.', {
    apiGroups: strArr('APIGroups is the name of the APIGroup that contains the resources.  If multiple API groups are specified, any action requested against one of the enumerated resources in any API group will be allowed. "" represents the core API group and "*" represents all API groups.', atomic),
    nonResourceURLs: strArr('NonResourceURLs is a set of partial urls that a user should have access to.  *s are allowed, but only as the full, final step in the path Since non-resource URLs are not namespaced, this field is only applicable for ClusterRoles referenced from a ClusterRoleBinding. Rules can either apply to API resources (such as "pods" or "secrets") or non-resource URL paths (such as "/api"),  but not both.', atomic),
    resourceNames: strArr('ResourceNames is an optional white list of names that the rule applies to.  An empty set means that everything is allowed.', atomic),
    resources: strArr('Resources is a list of resources this rule applies to. \'*\' represents all resources.', atomic),
    verbs: strArr('Verbs is a list of Verbs that apply to ALL the ResourceKinds contained in this rule. \'*\' represents all verbs.', atomic),
  }),
  [RBAC + 'AggregationRule']: obj('AggregationRule describes how to locate ClusterRoles to aggregate into the ClusterRole', {
    clusterRoleSelectors: arr(item(META + 'LabelSelector'), 'ClusterRoleSelectors holds a list of selectors which will be used to find ClusterRoles and create the rules. If any of the selectors match, then the ClusterRole\'s permissions will be added', atomic),
  }),
  [RBAC + 'Subject']: obj('Subject contains a reference to the object or user identities a role binding applies to.  This can either hold a direct API object reference, or a value for non-objects such as user and group names.', {
    apiGroup: str('APIGroup holds the API group of the referenced subject. Defaults to "" for ServiceAccount subjects. Defaults to "rbac.authorization.k8s.io" for User and Group subjects.'),
    kind: str('Kind of object being referenced. Values defined by this API group are "User", "Group", and "ServiceAccount". If the Authorizer does not recognized the kind value, the Authorizer should report an error.'),
    name: str('Name of the object being referenced.'),
    namespace: str('Namespace of the referenced object.  If the object kind is non-namespace, such as "User" or "Group", and this value is not empty the Authorizer should report an error.'),
  }, ['kind', 'name'], { 'x-kubernetes-map-type': 'atomic' }),
  [RBAC + 'RoleRef']: obj('RoleRef contains information that points to the role being used', {
    apiGroup: str('APIGroup is the group for the resource being referenced'),
    kind: str('Kind is the type of resource being referenced'),
    name: str('Name is the name of resource being referenced'),
  }, ['apiGroup', 'kind', 'name'], { 'x-kubernetes-map-type': 'atomic' }),
  [RBAC + 'Role']: obj('Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.', {
    apiVersion: API_VERSION_PROPERTY,
    kind: KIND_PROPERTY,
    metadata: OBJECT_META,
    rules: arr(item(RBAC + 'PolicyRule'), 'Rules holds all the PolicyRules for this Role', atomic),
  }, undefined, gvk(GROUP, 'v1', 'Role')),
  [RBAC + 'ClusterRole']: obj('ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding or ClusterRoleBinding.', {
    aggregationRule: ref(RBAC + 'AggregationRule', 'AggregationRule is an optional field that describes how to build the Rules for this ClusterRole. If AggregationRule is set, then the Rules are controller managed and direct changes to Rules will be stomped by the controller.'),
    apiVersion: API_VERSION_PROPERTY,
    kind: KIND_PROPERTY,
    metadata: OBJECT_META,
    rules: arr(item(RBAC + 'PolicyRule'), 'Rules holds all the PolicyRules for this ClusterRole', atomic),
  }, undefined, gvk(GROUP, 'v1', 'ClusterRole')),
  [RBAC + 'RoleBinding']: obj('RoleBinding references a role, but does not contain it.  It can reference a Role in the same namespace or a ClusterRole in the global namespace. It adds who information via Subjects and namespace information by which namespace it exists in.  RoleBindings in a given namespace only have effect in that namespace.', {
    apiVersion: API_VERSION_PROPERTY,
    kind: KIND_PROPERTY,
    metadata: OBJECT_META,
    roleRef: ref(RBAC + 'RoleRef', 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.'),
    subjects: arr(item(RBAC + 'Subject'), 'Subjects holds references to the objects the role applies to.', atomic),
  }, ['roleRef'], gvk(GROUP, 'v1', 'RoleBinding')),
  [RBAC + 'ClusterRoleBinding']: obj('ClusterRoleBinding references a ClusterRole, but not contain it.  It can reference a ClusterRole in the global namespace, and adds who information via Subject.', {
    apiVersion: API_VERSION_PROPERTY,
    kind: KIND_PROPERTY,
    metadata: OBJECT_META,
    roleRef: ref(RBAC + 'RoleRef', 'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.'),
    subjects: arr(item(RBAC + 'Subject'), 'Subjects holds references to the objects the role applies to.', atomic),
  }, ['roleRef'], gvk(GROUP, 'v1', 'ClusterRoleBinding')),
  [RBAC + 'RoleList']: list('Role', 'Roles'),
  [RBAC + 'ClusterRoleList']: list('ClusterRole', 'ClusterRoles'),
  [RBAC + 'RoleBindingList']: list('RoleBinding', 'RoleBindings'),
  [RBAC + 'ClusterRoleBindingList']: list('ClusterRoleBinding', 'ClusterRoleBindings'),
};
