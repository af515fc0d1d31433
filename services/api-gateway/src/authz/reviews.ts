// The review APIs: authorization.k8s.io/v1 SelfSubjectAccessReview (`kubectl auth can-i`),
// SelfSubjectRulesReview (`kubectl auth can-i --list`), SubjectAccessReview (a kubelet
// authorizing its own API); authentication.k8s.io/v1 SelfSubjectReview (`kubectl auth whoami`)
// and TokenReview. None is stored: each answers its request with status filled (201).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors, type KubeObject } from '@keelson/api';
import { decodeBody, mediaType, readBody, sendJson } from '../http/io';
import type { ResourceRequest } from '../http/request-info';
import type { Attributes } from './attributes';
import type { Authorizer } from './authorizer';
import { nodeNameOf } from './node';
import type { PolicyRule } from './rules';
import type { TokenAuthenticator, UserInfo } from '../http/auth';
import { UnionAuthenticator } from './serviceaccount-authenticator';

const REVIEWS: Record<string, string> = {
  'authorization.k8s.io/selfsubjectaccessreviews': 'SelfSubjectAccessReview',
  'authorization.k8s.io/selfsubjectrulesreviews': 'SelfSubjectRulesReview',
  'authorization.k8s.io/subjectaccessreviews': 'SubjectAccessReview',
  'authorization.k8s.io/localsubjectaccessreviews': 'LocalSubjectAccessReview',
  'authentication.k8s.io/selfsubjectreviews': 'SelfSubjectReview',
  'authentication.k8s.io/tokenreviews': 'TokenReview',
};

/** Whether `rr` is one of the review APIs (create only, version v1, cluster-scoped but LocalSubjectAccessReview). */
export function isReviewRequest(rr: ResourceRequest): boolean {
  const kind = REVIEWS[`${rr.group}/${rr.resource}`];
  return rr.version === 'v1' && !rr.name && kind !== undefined && !!rr.namespace === (kind === 'LocalSubjectAccessReview');
}

type Json = Record<string, unknown>;
const rec = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const s = (v: unknown): string => (typeof v === 'string' ? v : '');

function attributesOfSpec(user: UserInfo, spec: Json): Attributes {
  const ra = spec.resourceAttributes ? rec(spec.resourceAttributes) : undefined;
  const nra = spec.nonResourceAttributes ? rec(spec.nonResourceAttributes) : undefined;
  if (ra) {
    return { user, verb: s(ra.verb), resourceRequest: true, apiGroup: s(ra.group), apiVersion: s(ra.version), resource: s(ra.resource), subresource: s(ra.subresource), namespace: s(ra.namespace), name: s(ra.name), path: '' };
  }
  if (nra) return { user, verb: s(nra.verb), resourceRequest: false, apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '', path: s(nra.path) };
  throw errors.invalid('SelfSubjectAccessReview', '', [{ reason: 'FieldValueRequired', field: 'spec.resourceAttributes', message: 'Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified' }], 'authorization.k8s.io');
}

const userInfoJson = (u: UserInfo & { extra?: Record<string, string[]> }): Json => ({ username: u.name, uid: u.uid, groups: u.groups, ...(u.extra ? { extra: u.extra } : {}) });

/** SelfSubjectRulesReview's status: the rules that apply in `namespace`, resource and non-resource. */
export function rulesReviewStatus(authz: Authorizer, user: UserInfo, namespace: string): Json {
  const resourceRules: Json[] = [];
  const nonResourceRules: Json[] = [];
  const all: PolicyRule[] = authz.rbac.rulesFor(user, namespace).flatMap((r) => r.rules);
  for (const r of all) {
    if (r.nonResourceURLs && r.nonResourceURLs.length) nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs });
    else resourceRules.push({ verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}) });
  }
  // The Node authorizer's graph cannot be listed as rules (kube answers incomplete too).
  return { resourceRules, nonResourceRules, incomplete: !!nodeNameOf(user) || !authz.enforcing };
}

/**
 * A LocalSubjectAccessReview asks about its own namespace only (kube's localsubjectaccessreview
 * REST and ValidateLocalSubjectAccessReview): metadata.namespace is the request's, and so must
 * the resource attributes' be; non-resource attributes make no sense in a namespace.
 */
function checkLocalNamespace(namespace: string, out: Json, spec: Json): void {
  const meta = rec(out.metadata);
  if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) {
    throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  out.metadata = { ...meta, namespace };
  const ra = spec.resourceAttributes ? rec(spec.resourceAttributes) : undefined;
  const invalid = (field: string, value: unknown, message: string) =>
    errors.invalid('LocalSubjectAccessReview', '', [{ reason: 'FieldValueInvalid', field, message: `Invalid value: ${JSON.stringify(value)}: ${message}` }], 'authorization.k8s.io');
  if (spec.nonResourceAttributes) throw invalid('spec.nonResourceAttributes', rec(spec.nonResourceAttributes), 'disallowed on this kind of request');
  if (ra && s(ra.namespace) !== namespace) throw invalid('spec.resourceAttributes.namespace', s(ra.namespace), 'must match metadata.namespace');
}

export async function handleReview(
  req: IncomingMessage,
  res: ServerResponse,
  rr: ResourceRequest,
  user: UserInfo,
  deps: { authorizer: Authorizer; authenticator: UnionAuthenticator | TokenAuthenticator; maxRequestBytes: number },
): Promise<void> {
  const kind = REVIEWS[`${rr.group}/${rr.resource}`];
  if (rr.verb !== 'create') throw errors.methodNotAllowed(`the server does not allow this method on the requested resource`);
  const body = rec(decodeBody(await readBody(req, deps.maxRequestBytes), mediaType(req))) as Partial<KubeObject> & Json;
  const spec = rec(body.spec);
  const apiVersion = `${rr.group}/v1`;
  const out: Json = { kind, apiVersion, metadata: { ...rec(body.metadata), creationTimestamp: null } };
  switch (kind) {
    case 'SelfSubjectAccessReview': {
      const d = deps.authorizer.decide(attributesOfSpec(user, spec));
      out.spec = spec;
      out.status = { allowed: d.allowed, ...(d.reason ? { reason: d.reason } : {}) };
      break;
    }
    case 'LocalSubjectAccessReview':
    case 'SubjectAccessReview': {
      if (kind === 'LocalSubjectAccessReview') checkLocalNamespace(rr.namespace!, out, spec);
      const subject: UserInfo = { name: s(spec.user), uid: s(spec.uid), groups: Array.isArray(spec.groups) ? spec.groups.filter((g): g is string => typeof g === 'string') : [] };
      if (!subject.name && subject.groups.length === 0) {
        throw errors.invalid(kind, '', [{ reason: 'FieldValueRequired', field: 'spec.user', message: 'Required value: at least one of user or group must be specified' }], 'authorization.k8s.io');
      }
      const d = deps.authorizer.decide(attributesOfSpec(subject, spec));
      out.spec = spec;
      out.status = { allowed: d.allowed, ...(d.reason ? { reason: d.reason } : {}) };
      break;
    }
    case 'SelfSubjectRulesReview':
      out.spec = spec;
      out.status = rulesReviewStatus(deps.authorizer, user, s(spec.namespace));
      break;
    case 'SelfSubjectReview':
      out.status = { userInfo: userInfoJson(user) };
      break;
    case 'TokenReview': {
      const audiences = Array.isArray(spec.audiences) ? spec.audiences.filter((a): a is string => typeof a === 'string') : undefined;
      const r = deps.authenticator instanceof UnionAuthenticator ? deps.authenticator.review(s(spec.token), audiences) : { error: 'token review is not available' } as ReturnType<UnionAuthenticator['review']>;
      out.spec = spec;
      out.status = r.user ? { authenticated: true, user: userInfoJson(r.user), ...(r.audiences ? { audiences: r.audiences } : {}) } : { user: {}, error: r.error };
      break;
    }
  }
  sendJson(res, 201, out);
}
