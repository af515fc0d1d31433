// Cluster IPs and node ports of Services. Each allocated IP and port is its own etcd key
// (as kube 1.31+ names an IPAddress object after its IP), written in the same etcd
// transaction as the Service that holds it: the transaction also requires each new key to
// be absent, so two creates racing for one address (in one gateway or in two replicas) cannot
// both win, and a crash can neither leak an address nor hand it out twice. Deleting the
// Service deletes its keys in the same transaction; an update adds and removes the difference.
//
// ServiceStorage is the EtcdStore the generic ResourceStore of `services` writes through, so
// every path that writes a Service (create, update, patch, the delete marker, final removal)
// keeps the allocation keys exact without the generic layers knowing about them.
import type { Etcd3, IKeyValue } from 'etcd3';
import { copyJson, errors, jsonDeepEqual, type KubeObject, needsClusterIP, needsNodePorts, type StatusCause } from '@keelson/api';
import { EtcdStore, StorageError, decodeObject, encodeObject, prefixEnd, withRevision, type DeletePreconditions, type EtcdStoreOptions } from '@keelson/storage';
import type { NodePortRange, ServiceCIDR } from './service-ranges';

export const ALLOCATION_PREFIX = '/keelson/allocations/';
const IP_PREFIX = `${ALLOCATION_PREFIX}serviceips/`;
const PORT_PREFIX = `${ALLOCATION_PREFIX}nodeports/`;
export const serviceIPKey = (ip: string): string => IP_PREFIX + ip;
export const nodePortKey = (port: number): string => PORT_PREFIX + String(port);

// Rounds of "pick free values, commit" lost to concurrent allocators before giving up.
const MAX_ATTEMPTS = 50;

type Json = Record<string, unknown>;
const rec = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
const portsOf = (spec: Json): Json[] => (Array.isArray(spec.ports) ? spec.ports.filter((p): p is Json => rec(p) !== undefined) : []);

/** The allocation keys a stored Service holds. */
export function allocationKeys(svc: KubeObject): Set<string> {
  const spec = rec(svc.spec) ?? {};
  const keys = new Set<string>();
  if (needsClusterIP(spec)) {
    for (const ip of Array.isArray(spec.clusterIPs) ? spec.clusterIPs : []) if (typeof ip === 'string' && ip !== 'None' && ip) keys.add(serviceIPKey(ip));
  }
  for (const p of portsOf(spec)) if (typeof p.nodePort === 'number' && p.nodePort > 0) keys.add(nodePortKey(p.nodePort));
  if (typeof spec.healthCheckNodePort === 'number' && spec.healthCheckNodePort > 0) keys.add(nodePortKey(spec.healthCheckNodePort));
  return keys;
}

/** Which values of a Service the client asked for (they fail when taken) rather than left to us. */
interface Requested {
  ips: Set<string>;
  ports: Set<number>;
}

function requestedOf(svc: KubeObject, before?: KubeObject): Requested {
  const had = before ? allocationKeys(before) : new Set<string>();
  const req: Requested = { ips: new Set(), ports: new Set() };
  for (const k of allocationKeys(svc)) {
    if (had.has(k)) continue;
    if (k.startsWith(IP_PREFIX)) req.ips.add(k.slice(IP_PREFIX.length));
    else req.ports.add(Number(k.slice(PORT_PREFIX.length)));
  }
  return req;
}

function invalid(svc: KubeObject, cause: StatusCause): Error {
  return errors.invalid('Service', svc.metadata.name ?? '', [cause]);
}

export class ServiceStorage extends EtcdStore {
  constructor(
    private readonly etcd: Etcd3,
    private readonly cidr: ServiceCIDR,
    private readonly nodePorts: NodePortRange,
    storeOptions: EtcdStoreOptions = {},
  ) {
    super(etcd, storeOptions);
  }

  override async create(key: string, obj: KubeObject): Promise<KubeObject> {
    const requested = requestedOf(obj);
    this.checkRanges(obj, requested);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const svc = copyJson(obj);
      await this.assignFree(svc);
      const want = [...allocationKeys(svc)];
      let txn = this.etcd.if(key, 'Create', '==', 0);
      for (const k of want) txn = txn.and(k, 'Create', '==', 0);
      const owner = ownerValue(svc);
      const res = await txn
        .then(this.etcd.put(key).value(encodeObject(svc)), ...want.map((k) => this.etcd.put(k).value(owner)))
        .else(this.etcd.get(key), ...want.map((k) => this.etcd.get(k)))
        .commit();
      if (res.succeeded) return withRevision(svc, Number(res.header.revision));
      if (res.responses[0]?.response_range?.kvs.length) throw new StorageError('KeyExists', key, `key ${key} already exists`);
      this.failIfRequestedTaken(svc, requested, want, res.responses.slice(1).map((r) => r.response_range?.kvs.length ?? 0));
      // Only values we picked were taken meanwhile: pick again.
    }
    throw errors.internal('could not allocate a cluster IP or node port after repeated concurrent allocations');
  }

  override async guaranteedUpdate(
    key: string,
    tryUpdate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    opts: { expectedRevision?: number } = {},
  ): Promise<KubeObject> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS * 2; attempt++) {
      const kv = await this.currentKv(key);
      const revision = Number(kv.mod_revision);
      if (opts.expectedRevision !== undefined && opts.expectedRevision !== revision) {
        throw new StorageError('Conflict', key, 'the object has been modified; please apply your changes to the latest version and try again', revision);
      }
      const current = decode(kv);
      const next = await tryUpdate(decode(kv));
      if (jsonDeepEqual(stripRv(next), stripRv(current))) return current;
      const written = await this.writeUpdate(key, current, revision, next);
      if (written) return written;
    }
    throw new StorageError('Conflict', key, 'gave up after repeated concurrent modifications');
  }

  override async update(key: string, obj: KubeObject, expectedRevision?: number): Promise<KubeObject> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const kv = await this.currentKv(key);
      const revision = Number(kv.mod_revision);
      if (expectedRevision !== undefined && expectedRevision !== revision) {
        throw new StorageError('Conflict', key, 'the object has been modified; please apply your changes to the latest version and try again', revision);
      }
      const written = await this.writeUpdate(key, decode(kv), revision, obj);
      if (written) return written;
    }
    throw new StorageError('Conflict', key, 'gave up after repeated concurrent modifications');
  }

  override async delete(key: string, preconditions: DeletePreconditions = {}): Promise<KubeObject> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const kv = await this.currentKv(key);
      const revision = Number(kv.mod_revision);
      const current = decode(kv);
      if (preconditions.uid !== undefined && preconditions.uid !== current.metadata.uid) {
        throw new StorageError('Conflict', key, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${current.metadata.uid ?? ''}`, revision);
      }
      if (preconditions.resourceVersion !== undefined && preconditions.resourceVersion !== String(revision)) {
        throw new StorageError('Conflict', key, `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${revision}`, revision);
      }
      const release = [...allocationKeys(current)];
      const res = await this.etcd
        .if(key, 'Mod', '==', revision)
        .then(this.etcd.delete().key(key), ...release.map((k) => this.etcd.delete().key(k)))
        .commit();
      if (res.succeeded) return withRevision(current, Number(res.header.revision));
    }
    throw new StorageError('Conflict', key, 'gave up after repeated concurrent modifications');
  }

  /** Cluster IPs and node ports in use, for diagnostics and tests. */
  async allocated(): Promise<{ ips: string[]; nodePorts: number[] }> {
    const [ips, ports] = await Promise.all([this.keysUnder(IP_PREFIX), this.keysUnder(PORT_PREFIX)]);
    return { ips: ips.map((k) => k.slice(IP_PREFIX.length)), nodePorts: ports.map((k) => Number(k.slice(PORT_PREFIX.length))) };
  }

  /**
   * One compare-and-swap of the Service with its allocation difference. Returns undefined when
   * the Service or a value we picked changed underneath (the caller re-reads and retries).
   */
  private async writeUpdate(key: string, current: KubeObject, revision: number, desired: KubeObject): Promise<KubeObject | undefined> {
    const requested = requestedOf(desired, current);
    this.checkRanges(desired, requested);
    const next = copyJson(desired);
    await this.assignFree(next);
    const had = allocationKeys(current);
    const want = allocationKeys(next);
    const added = [...want].filter((k) => !had.has(k));
    const released = [...had].filter((k) => !want.has(k));
    let txn = this.etcd.if(key, 'Mod', '==', revision);
    for (const k of added) txn = txn.and(k, 'Create', '==', 0);
    const owner = ownerValue(next);
    const res = await txn
      .then(this.etcd.put(key).value(encodeObject(next)), ...added.map((k) => this.etcd.put(k).value(owner)), ...released.map((k) => this.etcd.delete().key(k)))
      .else(this.etcd.get(key), ...added.map((k) => this.etcd.get(k)))
      .commit();
    if (res.succeeded) return withRevision(next, Number(res.header.revision));
    const stillCurrent = Number(res.responses[0]?.response_range?.kvs[0]?.mod_revision ?? -1) === revision;
    if (stillCurrent) this.failIfRequestedTaken(next, requested, added, res.responses.slice(1).map((r) => r.response_range?.kvs.length ?? 0));
    return undefined;
  }

  /** Fills the cluster IP and node ports the Service needs and has not named. */
  private async assignFree(svc: KubeObject): Promise<void> {
    const spec = rec(svc.spec);
    if (!spec) return;
    if (needsClusterIP(spec) && !spec.clusterIP) {
      const ip = await this.freeIP();
      spec.clusterIP = ip;
      spec.clusterIPs = [ip];
    }
    const wantsHealthCheck = spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local' && !spec.healthCheckNodePort;
    const missing = needsNodePorts(spec) ? portsOf(spec).filter((p) => !p.nodePort) : [];
    if (missing.length === 0 && !wantsHealthCheck) return;
    const taken = new Set((await this.keysUnder(PORT_PREFIX)).map((k) => Number(k.slice(PORT_PREFIX.length))));
    for (const p of portsOf(spec)) if (typeof p.nodePort === 'number') taken.add(p.nodePort);
    const pick = (): number => {
      const port = pickFree(this.nodePorts.size, (i) => !taken.has(this.nodePorts.min + i));
      if (port === undefined) throw errors.internal(`range of valid node ports ${this.nodePorts.text} is full`);
      taken.add(this.nodePorts.min + port);
      return this.nodePorts.min + port;
    };
    for (const p of missing) p.nodePort = pick();
    if (wantsHealthCheck) spec.healthCheckNodePort = pick();
  }

  private async freeIP(): Promise<string> {
    const taken = new Set((await this.keysUnder(IP_PREFIX)).map((k) => k.slice(IP_PREFIX.length)));
    // Offset 1 stays for the `kubernetes` Service; the last address is the broadcast address.
    const n = pickFree(this.cidr.size - 3, (i) => !taken.has(this.cidr.at(i + 2)));
    if (n === undefined) throw errors.internal(`failed to allocate a serviceIP: range is full`);
    return this.cidr.at(n + 2);
  }

  /** Requested values outside the configured ranges are refused before any write (alloc.go's messages). */
  private checkRanges(svc: KubeObject, requested: Requested): void {
    for (const ip of requested.ips) {
      if (!this.cidr.isAllocatable(ip)) {
        throw invalid(svc, ipCause(svc, `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.cidr.cidr}`));
      }
    }
    for (const port of requested.ports) {
      if (!this.nodePorts.contains(port)) {
        throw invalid(svc, portCause(svc, port, `provided port is not in the valid range. The range of valid ports is ${this.nodePorts.text}`));
      }
    }
  }

  /** After a failed commit: a taken value the client asked for is a 422; one we picked is retried. */
  private failIfRequestedTaken(svc: KubeObject, requested: Requested, keys: string[], existing: number[]): void {
    keys.forEach((k, i) => {
      if (!existing[i]) return;
      if (k.startsWith(IP_PREFIX)) {
        const ip = k.slice(IP_PREFIX.length);
        if (requested.ips.has(ip)) throw invalid(svc, ipCause(svc, `failed to allocate IP ${ip}: provided IP is already allocated`));
      } else {
        const port = Number(k.slice(PORT_PREFIX.length));
        if (requested.ports.has(port)) throw invalid(svc, portCause(svc, port, 'provided port is already allocated'));
      }
    });
  }

  private async currentKv(key: string): Promise<IKeyValue> {
    const res = await this.etcd.get(key).exec();
    const kv = res.kvs[0];
    if (!kv) throw new StorageError('NotFound', key, `key ${key} not found`);
    return kv;
  }

  private async keysUnder(prefix: string): Promise<string[]> {
    const res = await this.etcd.kv.range({ key: Buffer.from(prefix), range_end: prefixEnd(prefix), keys_only: true });
    return res.kvs.map((kv) => kv.key.toString());
  }
}

function ipCause(svc: KubeObject, detail: string): StatusCause {
  const ips = Array.isArray(svc.spec?.clusterIPs) ? (svc.spec.clusterIPs as unknown[]) : [];
  return { reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: []string{${ips.map((ip) => JSON.stringify(String(ip))).join(', ')}}: ${detail}` };
}

function portCause(svc: KubeObject, port: number, detail: string): StatusCause {
  const spec = rec(svc.spec) ?? {};
  const index = portsOf(spec).findIndex((p) => p.nodePort === port);
  const field = index >= 0 ? `spec.ports[${index}].nodePort` : 'spec.healthCheckNodePort';
  return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${port}: ${detail}` };
}

/** A random free index in [0, size), probing on from a random start (kube's allocators pick at random too). */
function pickFree(size: number, isFree: (i: number) => boolean): number | undefined {
  const start = Math.floor(Math.random() * size);
  for (let d = 0; d < size; d++) {
    const i = (start + d) % size;
    if (isFree(i)) return i;
  }
  return undefined;
}

/** What an allocation key records: the Service holding it (for people reading etcd). */
function ownerValue(svc: KubeObject): string {
  return JSON.stringify({ resource: 'services', namespace: svc.metadata.namespace, name: svc.metadata.name, uid: svc.metadata.uid });
}

function decode(kv: IKeyValue): KubeObject {
  return decodeObject(kv.value, kv.mod_revision, kv.key.toString());
}

function stripRv(o: KubeObject): KubeObject {
  const { resourceVersion: _rv, ...metadata } = o.metadata ?? {};
  return { ...o, metadata };
}
