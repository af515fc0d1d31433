// Label and field selectors (`?labelSelector=`, `?fieldSelector=`, `spec.selector`).
export * from './labels';
export * from './fields';
