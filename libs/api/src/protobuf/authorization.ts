// authorization.k8s.io/v1 review requests (staging/src/k8s.io/api/authorization/v1/generated.proto)
// and authentication.k8s.io/v1 SelfSubjectReview and TokenReview, which kubectl's typed commands
// (`auth can-i`, `auth whoami`) post as protobuf. Only the request halves are decoded.
import { msg, strs, str, type Descriptor } from './decode';
import { ObjectMeta } from './meta';

const metadata = msg('metadata', () => ObjectMeta);
const ResourceAttributes: Descriptor = {
  1: str('namespace'), 2: str('verb'), 3: str('group'), 4: str('version'), 5: str('resource'), 6: str('subresource'), 7: str('name'),
};
const NonResourceAttributes: Descriptor = { 1: str('path'), 2: str('verb') };

export const SelfSubjectAccessReview: Descriptor = {
  1: metadata,
  2: msg('spec', () => ({ 1: msg('resourceAttributes', () => ResourceAttributes), 2: msg('nonResourceAttributes', () => NonResourceAttributes) })),
};
export const SelfSubjectRulesReview: Descriptor = { 1: metadata, 2: msg('spec', () => ({ 1: str('namespace') })) };
export const SubjectAccessReview: Descriptor = {
  1: metadata,
  2: msg('spec', () => ({
    1: msg('resourceAttributes', () => ResourceAttributes),
    2: msg('nonResourceAttributes', () => NonResourceAttributes),
    3: str('user'),
    4: strs('groups'),
    6: str('uid'),
  })),
};
export const SelfSubjectReview: Descriptor = { 1: metadata };
export const TokenReview: Descriptor = { 1: metadata, 2: msg('spec', () => ({ 1: str('token'), 2: strs('audiences') })) };
