// @keelson/client: typed HTTP client for the Keelson API.
export { KeelsonClient } from './client';
export type { PatchType, JsonPatchOperation, DeleteOptions, ListOptions, WriteOptions, CallOptions, Binding, WatchOptions, WatchEvent } from './client';
export { clientConfigFromEnv } from './config';
export type { ClientConfig, RetryPolicy } from './config';
export { resourcePath, withQuery } from './paths';
export type { ResourceRef } from './paths';
export { ConnectionError } from './transport';
export type { RequestOptions, RawResponse, StreamResponse } from './transport';
export { NotProcessedError } from './http2-connection';
export { discoverResources, AGGREGATED_DISCOVERY_V2 } from './discovery';
export type { DiscoveredResource, DiscoveryTransport } from './discovery';
export { isNotFound, isConflict, isAlreadyExists, isInvalid, isForbidden, messageOf } from './status-errors';
