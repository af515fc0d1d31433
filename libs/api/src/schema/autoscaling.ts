// autoscaling/v1 Scale, served by the deployments/scale and replicasets/scale subresources.
// Field names, types, required fields and descriptions follow the Kubernetes API
// (descriptions shortened to their first sentences); patch and list-type
// extensions are the upstream ones, since strategic merge patch depends on them.

import type { SchemaNode } from './types';
import { obj, str, int32, ref, gvk, META, AUTOSCALING } from './dsl';

export const AUTOSCALING_SCHEMAS: Record<string, SchemaNode> = {
  [AUTOSCALING + 'Scale']: obj("Scale represents a scaling request for a resource.", {
    apiVersion: str("APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."),
    kind: str("Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."),
    metadata: ref(META + 'ObjectMeta', "Standard object metadata;"),
    spec: ref(AUTOSCALING + 'ScaleSpec', "defines the behavior of the scale."),
    status: ref(AUTOSCALING + 'ScaleStatus', "current status of the scale. Read-only."),
  }, undefined, gvk('autoscaling', 'v1', 'Scale')),
  [AUTOSCALING + 'ScaleSpec']: obj("ScaleSpec describes the attributes of a scale subresource.", {
    replicas: int32("replicas is the desired number of instances for the scaled object."),
  }),
  [AUTOSCALING + 'ScaleStatus']: obj("ScaleStatus represents the current status of a scale subresource.", {
    replicas: int32("replicas is the actual number of observed instances of the scaled object."),
    selector: str("selector is the label query over pods that should match the replicas count. This is same as the label selector but in the string format to avoid introspection by clients. The string will be in the same format as the query-param syntax."),
  }, ['replicas']),
};
