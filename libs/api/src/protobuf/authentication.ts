// authentication.k8s.io/v1 TokenRequest (staging/src/k8s.io/api/authentication/v1/generated.proto),
// which `kubectl create token` posts to serviceaccounts/<name>/token.
import { int, msg, strs, str, time, type Descriptor } from './decode';
import { ObjectMeta } from './meta';

const BoundObjectReference: Descriptor = { 1: str('kind'), 2: str('apiVersion'), 3: str('name'), 4: str('uid') };

export const TokenRequest: Descriptor = {
  1: msg('metadata', () => ObjectMeta),
  2: msg('spec', () => ({ 1: strs('audiences'), 3: msg('boundObjectRef', () => BoundObjectReference), 4: int('expirationSeconds', true) })),
  3: msg('status', () => ({ 1: str('token', true), 2: time('expirationTimestamp') })),
};
