// serviceaccounts/token (pkg/registry/core/serviceaccount/storage/token.go): POST an
// authentication.k8s.io/v1 TokenRequest, get it back with a signed token in its status.
import { causes, errors, isRecord, type KubeObject } from '@keelson/api';
import type { ServiceAccountTokens } from '../serviceaccount/tokens';
import { nowTimestamp } from './object-meta';
import type { ResourceStore } from './resource-store';

/** SetDefaults_TokenRequestSpec. */
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

export async function createToken(
  serviceAccounts: ResourceStore,
  tokens: ServiceAccountTokens,
  namespace: string,
  name: string,
  body: unknown,
  now = new Date(),
): Promise<KubeObject> {
  if (!isRecord(body) || (body.kind !== undefined && body.kind !== 'TokenRequest')) throw errors.badRequest('the body must be an authentication.k8s.io/v1 TokenRequest');
  if (body.apiVersion !== undefined && body.apiVersion !== 'authentication.k8s.io/v1') {
    throw errors.badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (authentication.k8s.io/v1)`);
  }
  const meta = isRecord(body.metadata) ? body.metadata : {};
  if (typeof meta.namespace === 'string' && meta.namespace && meta.namespace !== namespace) throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  const spec = isRecord(body.spec) ? { ...body.spec } : {};
  if (spec.expirationSeconds === undefined || spec.expirationSeconds === null) spec.expirationSeconds = DEFAULT_TOKEN_EXPIRATION_SECONDS;
  const seconds = spec.expirationSeconds;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds)) throw errors.badRequest('spec.expirationSeconds must be an integer');
  if (seconds < MIN_EXPIRATION_SECONDS) {
    throw errors.invalid('TokenRequest', name, [causes.invalid('spec.expirationSeconds', seconds, 'may not specify a duration less than 10 minutes')], 'authentication.k8s.io');
  }
  if (seconds > MAX_EXPIRATION_SECONDS) {
    throw errors.invalid('TokenRequest', name, [causes.invalid('spec.expirationSeconds', seconds, 'may not specify a duration larger than 2^32 seconds')], 'authentication.k8s.io');
  }
  const audiences = Array.isArray(spec.audiences) ? spec.audiences.filter((a): a is string => typeof a === 'string') : [];
  spec.audiences = audiences.length > 0 ? audiences : [tokens.issuer];

  const sa = await serviceAccounts.get(namespace, name); // 404 `serviceaccounts "x" not found`
  const issued = tokens.issue({ namespace, name, uid: sa.metadata.uid ?? '' }, spec.audiences as string[], seconds, now);
  return {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: nowTimestamp(now.getTime()) },
    spec: { boundObjectRef: null, ...spec },
    status: { token: issued.token, expirationTimestamp: nowTimestamp(issued.claims.exp * 1000) },
  };
}
