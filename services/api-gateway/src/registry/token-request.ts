// serviceaccounts/token (pkg/registry/core/serviceaccount/storage/token.go): POST an
// authentication.k8s.io/v1 TokenRequest, get it back with a signed token in its status.
import { causes, errors, isRecord, type KubeObject } from '@keelson/api';
import type { BoundObject, ServiceAccountTokens } from '../serviceaccount/tokens';
import { nowTimestamp } from './object-meta';
import type { ResourceStore } from './resource-store';

/** SetDefaults_TokenRequestSpec. */
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

/** Reads a pod, secret (namespaced) or node; throws the store's 404. */
export type ObjectLookup = (resource: 'pods' | 'secrets' | 'nodes', namespace: string | undefined, name: string) => Promise<KubeObject>;

export async function createToken(
  serviceAccounts: ResourceStore,
  tokens: ServiceAccountTokens,
  lookup: ObjectLookup,
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
  const bound = isRecord(spec.boundObjectRef) ? await boundObjects(lookup, namespace, name, spec.boundObjectRef) : undefined;
  const issued = tokens.issue({ namespace, name, uid: sa.metadata.uid ?? '' }, spec.audiences as string[], seconds, now, bound);
  return {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: nowTimestamp(now.getTime()) },
    spec: { boundObjectRef: null, ...spec },
    status: { token: issued.token, expirationTimestamp: nowTimestamp(issued.claims.exp * 1000) },
  };
}

/** Kinds a token may be bound to (all core/v1), with their resources. */
const BINDABLE: Record<string, 'pods' | 'secrets' | 'nodes' | undefined> = { Pod: 'pods', Secret: 'secrets', Node: 'nodes' };

/** The objects a token bound to `ref` names in its claims (a pod's node too), checked as token.go does. */
async function boundObjects(lookup: ObjectLookup, namespace: string, saName: string, ref: Record<string, unknown>): Promise<BoundObject[]> {
  const apiVersion = typeof ref.apiVersion === 'string' ? ref.apiVersion : '';
  const kind = typeof ref.kind === 'string' ? ref.kind : '';
  const refName = typeof ref.name === 'string' ? ref.name : '';
  const resource = apiVersion === 'v1' && Object.hasOwn(BINDABLE, kind) ? BINDABLE[kind] : undefined; // `kind` is user input
  if (!resource) {
    const slash = apiVersion.indexOf('/');
    const gv = slash < 0 ? `/${apiVersion}` : `${apiVersion.slice(0, slash)}/${apiVersion.slice(slash + 1)}`;
    throw errors.badRequest(`cannot bind token for serviceaccount "${saName}" to object of type ${gv}, Kind=${kind}`);
  }
  const obj = await lookup(resource, resource === 'nodes' ? undefined : namespace, refName);
  // A pod's token is only ever for the account it runs as (ServiceAccount admission defaults it).
  if (kind === 'Pod' && (typeof obj.spec?.serviceAccountName === 'string' ? obj.spec.serviceAccountName : 'default') !== saName) {
    throw errors.badRequest(`cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`);
  }
  const uid = obj.metadata.uid ?? '';
  if (typeof ref.uid === 'string' && ref.uid && ref.uid !== uid) {
    throw errors.conflict(kind, refName, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  const out: BoundObject[] = [{ kind: kind as BoundObject['kind'], name: refName, uid }];
  const nodeName = kind === 'Pod' && typeof obj.spec?.nodeName === 'string' ? obj.spec.nodeName : '';
  if (nodeName) {
    const node = await lookup('nodes', undefined, nodeName).catch(() => undefined);
    if (node) out.push({ kind: 'Node', name: nodeName, uid: node.metadata.uid ?? '' });
  }
  return out;
}
