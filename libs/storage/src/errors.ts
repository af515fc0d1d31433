// Typed storage failures. The gateway maps each code to a Kubernetes Status;
// storage itself knows nothing about HTTP.

export type StorageErrorCode = 'KeyExists' | 'NotFound' | 'Conflict' | 'Expired' | 'InvalidContinue' | 'Unavailable';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    readonly key: string,
    message: string,
    /** The key's current mod_revision (Conflict) or the store's revision (Expired, Unavailable), when known. */
    readonly currentRevision?: number,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

export function isStorageError(e: unknown, code?: StorageErrorCode): e is StorageError {
  return e instanceof StorageError && (code === undefined || e.code === code);
}

const COMPACTED = 'required revision has been compacted';
const FUTURE = 'required revision is a future revision';

/** Translates an etcd3 client error into a StorageError; returns other errors unchanged. */
export function fromEtcdError(e: unknown, key: string, revision?: number): unknown {
  if (e instanceof StorageError || !(e instanceof Error)) return e;
  const msg = e.message;
  if (msg.includes(COMPACTED)) {
    return new StorageError('Expired', key, `too old resource version: ${revision ?? 'unknown'}`, revision);
  }
  if (msg.includes(FUTURE)) {
    return new StorageError('Unavailable', key, `Too large resource version: ${revision ?? 'unknown'}`, revision);
  }
  const name = e.constructor.name;
  if (/Unavailable|DeadlineExceeded|Cancelled|ClientClosed|WatchStreamEnded/.test(name) || /ECONNREFUSED|UNAVAILABLE|No connection/i.test(msg)) {
    return new StorageError('Unavailable', key, `etcd unavailable: ${msg}`);
  }
  return e;
}
