// Patch engines for PATCH requests: JSON merge (RFC 7386), JSON patch (RFC 6902)
// and Kubernetes strategic merge patch. All are pure functions over decoded JSON.

export { applyJsonMergePatch } from './json-merge-patch';
export { applyJsonPatch, JSON_PATCH_NOT_APPLIED, MAX_JSON_PATCH_OPERATIONS } from './json-patch';
export { applyStrategicMergePatch } from './strategic-merge-patch';
export { deepEqual as jsonDeepEqual } from './json-value';
