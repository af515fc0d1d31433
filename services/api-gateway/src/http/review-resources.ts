// The review APIs in discovery. They are answered in authz/reviews.ts and never stored, so they
// are not kinds in the registry (no storage, watch cache or OpenAPI); discovery lists them as
// kube-apiserver does, each with the one verb it serves, so `kubectl api-resources` and clients
// that discover before they post (client-go's RESTMapper) find them.
import type { ResourceInfo, ResourceRegistry } from '@keelson/api';

const review = (group: string, resource: string, kind: string, namespaced = false): ResourceInfo => ({
  group,
  version: 'v1',
  resource,
  singular: kind.toLowerCase(),
  kind,
  listKind: `${kind}List`,
  namespaced,
  shortNames: [],
  categories: [],
  verbs: ['create'],
  subresources: [],
  schemaRef: '',
});

/** authentication.k8s.io/v1 and authorization.k8s.io/v1 as kube-apiserver 1.32 advertises them. */
export const REVIEW_RESOURCES: readonly ResourceInfo[] = [
  review('authentication.k8s.io', 'selfsubjectreviews', 'SelfSubjectReview'),
  review('authentication.k8s.io', 'tokenreviews', 'TokenReview'),
  review('authorization.k8s.io', 'localsubjectaccessreviews', 'LocalSubjectAccessReview', true),
  review('authorization.k8s.io', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview'),
  review('authorization.k8s.io', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview'),
  review('authorization.k8s.io', 'subjectaccessreviews', 'SubjectAccessReview'),
];

/** What discovery advertises: the registry's resources, then the review APIs. */
export function discoverableResources(registry: ResourceRegistry): ResourceInfo[] {
  return [...registry.all(), ...REVIEW_RESOURCES];
}
