// coordination.k8s.io/v1 Lease.
// Field names, types, required fields and descriptions follow the Kubernetes API
// (descriptions shortened to their first sentences); patch and list-type
// extensions are the upstream ones, since strategic merge patch depends on them.

import type { SchemaNode } from './types';
import { obj, str, int32, ref, item, arr, gvk, META, COORDINATION } from './dsl';

export const COORDINATION_SCHEMAS: Record<string, SchemaNode> = {
  [COORDINATION + 'Lease']: obj("Lease defines a lease concept.", {
    apiVersion: str("APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."),
    kind: str("Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."),
    metadata: ref(META + 'ObjectMeta', "More info: https://git.k8s.io/community/contributors/devel/api-conventions.md#metadata"),
    spec: ref(COORDINATION + 'LeaseSpec', "Specification of the Lease."),
  }, undefined, gvk('coordination.k8s.io', 'v1', 'Lease')),
  [COORDINATION + 'LeaseList']: obj("LeaseList is a list of Lease objects.", {
    apiVersion: str("APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."),
    items: arr(item(COORDINATION + 'Lease'), "items is a list of schema objects."),
    kind: str("Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."),
    metadata: ref(META + 'ListMeta', "Standard list metadata."),
  }, ['items'], gvk('coordination.k8s.io', 'v1', 'LeaseList')),
  [COORDINATION + 'LeaseSpec']: obj("LeaseSpec is a specification of a Lease.", {
    acquireTime: ref(META + 'MicroTime', "MicroTime is version of Time with microsecond level precision."),
    holderIdentity: str("holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field."),
    leaseDurationSeconds: int32("leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it. This is measured against the time of last observed renewTime."),
    leaseTransitions: int32("leaseTransitions is the number of transitions of a lease between holders."),
    preferredHolder: str("PreferredHolder signals to a lease holder that the lease has a more optimal holder and should be given up. This field can only be set if Strategy is also set."),
    renewTime: ref(META + 'MicroTime', "MicroTime is version of Time with microsecond level precision."),
    strategy: str("Strategy indicates the strategy for picking the leader for coordinated leader election. If the field is not specified, there is no active coordination for this lease. (Alpha) Using this field requires the CoordinatedLeaderElection feature gate to be enabled."),
  }),
};
