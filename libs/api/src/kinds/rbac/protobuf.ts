// rbac.authorization.k8s.io/v1 protobuf messages (staging/src/k8s.io/api/rbac/v1/generated.proto).
import { type Descriptor, msg, msgs, str, strs } from '../../protobuf/decode';
import { LabelSelector, ObjectMeta } from '../../protobuf/meta';

const metadata = msg('metadata', () => ObjectMeta);
const PolicyRule: Descriptor = {
  1: strs('verbs'),
  2: strs('apiGroups'),
  3: strs('resources'),
  4: strs('resourceNames'),
  5: strs('nonResourceURLs'),
};
const Subject: Descriptor = { 1: str('kind', true), 2: str('apiGroup'), 3: str('name', true), 4: str('namespace') };
const RoleRef: Descriptor = { 1: str('apiGroup', true), 2: str('kind', true), 3: str('name', true) };
export const Role: Descriptor = { 1: metadata, 2: msgs('rules', () => PolicyRule) };
export const ClusterRole: Descriptor = {
  1: metadata,
  2: msgs('rules', () => PolicyRule),
  3: msg('aggregationRule', () => ({ 1: msgs('clusterRoleSelectors', () => LabelSelector) })),
};
/** RoleBinding and ClusterRoleBinding share their field numbers. */
export const RoleBinding: Descriptor = { 1: metadata, 2: msgs('subjects', () => Subject), 3: msg('roleRef', () => RoleRef) };
