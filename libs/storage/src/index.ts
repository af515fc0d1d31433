// @keelson/storage: the gateway's etcd layer (keys, store, watch cache).
export { keyFor, prefixFor, resourcePrefix, resourcePrefixOfKey, prefixEnd, REGISTRY_ROOT } from './keys';
export { StorageError, isStorageError, type StorageErrorCode } from './errors';
export { encodeObject, decodeObject, withRevision } from './codec';
export { encodeContinue, decodeContinue, type ContinuePosition } from './continue-token';
export { EtcdStore, type EtcdStoreOptions, type EtcdRequestObserver, type CachedExistingLookup, type DeletePreconditions, type ListOptions, type ListResult } from './store';
export {
  WatchCache,
  type WatchCacheOptions,
  type CacheWatchEvent,
  type CacheWatchOptions,
  type CacheWatchHandle,
} from './watch-cache';
export type { WatchEventKind } from './event-ring';
export { etcdConnectionFromEnv, etcdClientOptions, etcdEndpoints, type EtcdConnection } from './etcd-connection';
export { EtcdEndpoints, type KvCalls, type EtcdEndpointsOptions, type EndpointState } from './etcd-endpoints';
export { etcdFaultHandling, isEtcdUnavailable } from './etcd-fault-handling';
export { parseEncryptionConfig, loadEncryptionConfig, installEncryption, transformerFor, EncryptionConfigError, type ValueTransformer } from './encryption';
export { GroupCommitter, commitOne, type GroupCommitOptions, type GroupCommitStats, type ConditionalWrite, type WriteCondition, type WriteResult, type WriteRetry } from './group-commit';
export { openEtcdWatch, WatchCanceledError, decodeWatchResponse, encodeWatchCreate, type EtcdWatch, type EtcdWatchHandlers, type WatchEvent, type RawKeyValue, type WatchResponseFields } from './etcd-watch';
