// Typed client for the Keelson (Kubernetes) REST API: the verbs a controller needs.
import type { KubeList, KubeObject, Status } from '@keelson/api';
import { clientConfigFromEnv, type ClientConfig } from './config';
import { resourcePath, withQuery, type ResourceRef } from './paths';
import { ConnectionError, Transport, type RequestOptions } from './transport';

export type PatchType = 'merge' | 'strategic' | 'json';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

/** One JSON Patch (RFC 6902) operation. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

export interface DeleteOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size; `list` follows `continue` until it has every item. Default 500. */
  limit?: number;
  /** For a single page: the continue token of the previous page. */
  continue?: string;
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
}

export interface WatchOptions {
  /** Changes after this revision (unset: the current state as ADDED events first). */
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks?: boolean;
  /** The server ends the watch after this long. */
  timeoutSeconds?: number;
}

/** One line of a watch: `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK` or `ERROR` (object is a Status). */
export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** Per-call transport options (timeout, cancellation). */
export type CallOptions = Pick<RequestOptions, 'timeoutMs' | 'signal'>;

export interface Binding {
  apiVersion: 'v1';
  kind: 'Binding';
  metadata: { name: string; namespace?: string; uid?: string };
  target: { apiVersion?: string; kind: 'Node'; name: string };
}

export class KeelsonClient {
  private readonly transport: Transport;

  constructor(readonly config: ClientConfig) {
    this.transport = new Transport(config);
  }

  /** A client configured from KEELSON_API_URL, KEELSON_TOKEN(_FILE), KEELSON_CA_FILE. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, userAgent?: string): KeelsonClient {
    return new KeelsonClient(clientConfigFromEnv(env, userAgent));
  }

  async get<T extends KubeObject = KubeObject>(r: ResourceRef, namespace: string | undefined, name: string, call?: CallOptions): Promise<T> {
    return this.json<T>('GET', resourcePath(r, namespace, name), call);
  }

  /** One page of a list (namespace undefined = all namespaces). */
  async listPage<T extends KubeObject = KubeObject>(r: ResourceRef, namespace: string | undefined, opts: ListOptions = {}, call?: CallOptions): Promise<KubeList<T>> {
    const path = withQuery(resourcePath(r, namespace), {
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
      limit: opts.limit,
      continue: opts.continue,
    });
    return this.json<KubeList<T>>('GET', path, call);
  }

  /**
   * Every matching item, following `continue` tokens. All pages are read at the first page's
   * revision, so the result is one consistent snapshot whose resourceVersion is that revision.
   */
  async list<T extends KubeObject = KubeObject>(r: ResourceRef, namespace: string | undefined, opts: ListOptions = {}, call?: CallOptions): Promise<KubeList<T>> {
    const limit = opts.limit ?? 500;
    const first = await this.listPage<T>(r, namespace, { ...opts, limit }, call);
    const items = [...first.items];
    let token = first.metadata.continue;
    while (token) {
      const page = await this.listPage<T>(r, namespace, { ...opts, limit, continue: token }, call);
      items.push(...page.items);
      token = page.metadata.continue;
    }
    return { ...first, metadata: { resourceVersion: first.metadata.resourceVersion }, items };
  }

  async create<T extends KubeObject>(r: ResourceRef, obj: T, opts: WriteOptions & CallOptions = {}): Promise<T> {
    return this.json<T>('POST', withQuery(resourcePath(r, obj.metadata.namespace), writeQuery(opts)), { ...opts, body: obj });
  }

  /** PUT: optimistic concurrency through `metadata.resourceVersion` (409 Conflict when stale). */
  async update<T extends KubeObject>(r: ResourceRef, obj: T, opts: WriteOptions & CallOptions = {}): Promise<T> {
    return this.json<T>('PUT', withQuery(resourcePath(r, obj.metadata.namespace, nameOf(obj)), writeQuery(opts)), { ...opts, body: obj });
  }

  /** PUT to the status subresource: only `.status` changes. */
  async updateStatus<T extends KubeObject>(r: ResourceRef, obj: T, opts: WriteOptions & CallOptions = {}): Promise<T> {
    return this.json<T>('PUT', withQuery(resourcePath(r, obj.metadata.namespace, nameOf(obj), 'status'), writeQuery(opts)), { ...opts, body: obj });
  }

  async patch<T extends KubeObject = KubeObject>(
    r: ResourceRef,
    namespace: string | undefined,
    name: string,
    patch: Record<string, unknown> | JsonPatchOperation[],
    opts: PatchOptions = {},
  ): Promise<T> {
    const { path, request } = patchRequest(r, namespace, name, patch, opts);
    return this.json<T>('PATCH', path, request);
  }

  /**
   * `patch` for a caller that does not read the answer (the kubelet's pod status writes): it
   * succeeds or throws the same ApiError, without decoding the returned object (3 % of a
   * kubelet's busy time in a rollout).
   */
  async patchWithoutResult(
    r: ResourceRef,
    namespace: string | undefined,
    name: string,
    patch: Record<string, unknown> | JsonPatchOperation[],
    opts: PatchOptions = {},
  ): Promise<void> {
    const { path, request } = patchRequest(r, namespace, name, patch, opts);
    await this.answered('PATCH', path, request);
  }

  /** Returns the object (still present while finalizers run or with a grace period) or a Success Status. */
  async delete(r: ResourceRef, namespace: string | undefined, name: string, opts: DeleteOptions & CallOptions = {}): Promise<KubeObject | Status> {
    const { timeoutMs, signal, ...del } = opts;
    const body = Object.keys(del).length ? { apiVersion: 'v1', kind: 'DeleteOptions', ...del } : undefined;
    return this.json<KubeObject | Status>('DELETE', resourcePath(r, namespace, name), { timeoutMs, signal, body });
  }

  /** POST pods/<name>/binding: what a scheduler does to place a pod on a node. */
  async bind(namespace: string, podName: string, nodeName: string, call?: CallOptions): Promise<Status> {
    const binding: Binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: podName, namespace }, target: { apiVersion: 'v1', kind: 'Node', name: nodeName } };
    return this.json<Status>('POST', resourcePath({ group: '', version: 'v1', resource: 'pods' }, namespace, podName, 'binding'), { ...call, body: binding });
  }

  /**
   * PUT namespaces/<name>/finalize: replaces the namespace's `spec.finalizers` (the namespace
   * controller removes `kubernetes` once the namespace is empty; the gateway then removes it).
   */
  async finalizeNamespace<T extends KubeObject = KubeObject>(namespace: T, finalizers: string[], call?: CallOptions): Promise<T> {
    const body = { ...namespace, spec: { ...(namespace.spec ?? {}), finalizers } };
    return this.json<T>('PUT', resourcePath({ group: '', version: 'v1', resource: 'namespaces' }, undefined, nameOf(namespace), 'finalize'), { ...call, body });
  }

  /**
   * Watches a collection: events as they arrive, until the server ends the watch, `signal` aborts,
   * or the caller stops iterating (which closes the stream). Over HTTP/2 each watch is one stream
   * on the client's connection. Throws the ApiError of a refused watch (e.g. 410 Expired).
   */
  async *watch<T extends KubeObject = KubeObject>(r: ResourceRef, namespace: string | undefined, opts: WatchOptions = {}, call: Pick<CallOptions, 'signal'> = {}): AsyncGenerator<WatchEvent<T>> {
    const path = withQuery(resourcePath(r, namespace), {
      watch: 'true',
      resourceVersion: opts.resourceVersion,
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
      allowWatchBookmarks: opts.allowWatchBookmarks ? 'true' : undefined,
      timeoutSeconds: opts.timeoutSeconds,
    });
    const res = await this.transport.stream(path, { signal: call.signal });
    try {
      for await (const line of res.lines) yield JSON.parse(line) as WatchEvent<T>;
    } finally {
      res.close();
    }
  }

  /** `http2` (one multiplexed connection) or `http/1.1` (keep-alive sockets). */
  get protocol(): 'http2' | 'http/1.1' {
    return this.transport.protocol;
  }

  /** HTTP/2 connections opened so far: 1 for a client that never lost its connection. */
  get connectionsOpened(): number {
    return this.transport.sessionsOpened;
  }

  /** Any other call, e.g. `GET /version`. */
  async raw<T>(method: string, path: string, opts?: RequestOptions): Promise<T> {
    return this.json<T>(method, path, opts);
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.transport.close();
  }

  private async json<T>(method: string, path: string, opts?: RequestOptions): Promise<T> {
    return JSON.parse(await this.answered(method, path, opts)) as T;
  }

  /** The answer's body, not decoded. */
  private async answered(method: string, path: string, opts?: RequestOptions): Promise<string> {
    const res = await this.transport.request(method, path, opts);
    // Every answer the API gives these calls is an object (the resource, a list or a Status):
    // an empty body is a broken answer, never `{}`.
    if (!res.body) throw new ConnectionError(`${method} ${path}: HTTP ${res.status} with an empty body`, 'EEMPTYRESPONSE');
    return res.body;
  }
}

function nameOf(obj: KubeObject): string {
  const n = obj.metadata.name;
  if (!n) throw new TypeError('object has no metadata.name');
  return n;
}

type PatchOptions = WriteOptions & CallOptions & { type?: PatchType; subresource?: string };

function patchRequest(r: ResourceRef, namespace: string | undefined, name: string, patch: Record<string, unknown> | JsonPatchOperation[], opts: PatchOptions): { path: string; request: RequestOptions } {
  const type = opts.type ?? 'merge';
  if (type === 'json' ? !Array.isArray(patch) : Array.isArray(patch)) throw new TypeError(`a ${type} patch must be ${type === 'json' ? 'an array of operations' : 'an object'}`);
  const path = withQuery(resourcePath(r, namespace, name, opts.subresource), writeQuery(opts));
  return { path, request: { ...opts, body: patch, contentType: PATCH_CONTENT_TYPES[type] } };
}

function writeQuery(o: WriteOptions): Record<string, string | undefined> {
  return { dryRun: o.dryRun ? 'All' : undefined, fieldManager: o.fieldManager };
}
