// The pod network of a process node (what a CNI bridge plugin plus host-local IPAM do for kube):
//
//   host netns                                   pod netns  /run/netns/keelson-<pod uid>
//   kb<hash>  bridge, <podCIDR>.1 (gateway) ─┬── kv<hash> ══ eth0 <podCIDR>.N, default via .1
//                                            └── kv<hash> ══ eth0 …            lo up
//
// One bridge per node (named from the kubelet's root, so two kubelets on one machine get two);
// the node's block comes from its Node's spec.podCIDR (node IPAM in node-lifecycle-controller).
// Every bridge lives in the host's network namespace, so the host has a connected route to each
// node's block: pods of different process nodes on one machine reach each other through the
// host (ip_forward on). iptables: FORWARD ACCEPT in and out of the bridge (a Docker daemon sets
// the FORWARD policy to DROP), and MASQUERADE for pod traffic leaving by any non-pod interface.
//
// Every container of a pod joins the pod's namespace (`joinArgv`: nsenter --net=<netns path>), so
// they share localhost and the pod IP. hostNetwork pods keep the host's network.
//
// State, per pod, in <kubelet root>/network/pods/<uid>.json, written BEFORE the namespace and veth
// exist (so a crash in between leaves a record the sweep finds): the IP allocator is these records
// plus the last address handed out (network/last-reserved-ip.json; round-robin, as host-local IPAM).
// An address handed out again within TIME_WAIT has its old conntrack entries deleted first.
// A pod that got the host network (no podCIDR yet, or no capability) records that too, so it keeps
// its address for life, across kubelet restarts.
//
// Where namespaces cannot be made (not root, no iproute2/nsenter) or the Node has no podCIDR, pods
// share the host network as before; the Node's NetworkUnavailable condition says which and why.
//
// Clean-up interface for the start-up sweep: `listPodNetworks()` / `removePodNetwork(uid)`.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@keelson/telemetry';
import type { ClusterDns } from '../sandbox/resolv-conf';
import type { Pod } from '../../types';
import { ApiRelay, loopbackApi, POD_API_SCRIPT, podApiRules, type ApiEndpoint } from './api-access';
import { run, succeeds, type CommandError } from './commands';

export const NETNS_DIR = '/run/netns';
const NETNS_PREFIX = 'keelson-';

/** One pod's network as recorded on disk. `ip` absent: the pod got the host network. */
export interface PodNetworkRecord {
  uid: string;
  ip?: string;
  /** `keelson-<uid>`: its file is /run/netns/<netns>. */
  netns?: string;
  /** Host side of the veth pair (kv + hash of the uid). */
  hostVeth?: string;
  bridge?: string;
  podCIDR?: string;
}

/** What the start-up garbage sweep uses (it owns when; this module owns how). */
export interface PodNetworkCleanup {
  /** Every pod network this node has state for (sandboxed or host), from disk. */
  listPodNetworks(): Promise<PodNetworkRecord[]>;
  /** Deletes the pod's namespace, veth and record; a no-op when there is none. */
  removePodNetwork(uid: string): Promise<void>;
}

export interface PodAddresses {
  podIP: string;
  /** The host as the pod reaches it (the bridge's address when the node's address is loopback). */
  hostIP: string;
}

/** The Node condition that tells users how pods are networked on this node. */
export interface NetworkCondition {
  type: 'NetworkUnavailable';
  status: 'False';
  reason: string;
  message: string;
}

export interface PodNetworksOptions {
  /** The kubelet's root (KEELSON_KUBELET_ROOT); state goes under <root>/network. */
  root: string;
  /** The node's address (KEELSON_KUBELET_ADDRESS): pods on the host network get it as IP. */
  hostIP: string;
  log: Logger;
  /** The Node's spec.podCIDR, read from the API (undefined while unassigned). */
  readPodCidr(): Promise<string | undefined>;
  /** How long the first pod waits for a podCIDR before pods fall back to the host network. */
  podCidrWaitMs: number;
  /** false (KEELSON_KUBELET_POD_NETWORK=host): always the host network. */
  enabled: boolean;
  /** The API's URL as the kubelet reaches it: on loopback, pods get a path to it (api-access.ts). */
  apiUrl?: string;
  /** The `kubernetes` Service's cluster IP and port, read from the API (undefined when it has none). */
  readApiService?(): Promise<ApiEndpoint | undefined>;
}

export class PodNetworks implements PodNetworkCleanup {
  /** The node's cluster DNS server (dns/dns-server.ts), served on the bridge's address once it is up. */
  dns?: { server: { listen(address: string): Promise<void> }; domain: string };
  private dnsAddress?: string;
  private readonly records = new Map<string, PodNetworkRecord>();
  private readonly bridge: string;
  private readonly comment: string;
  private podCidr?: string;
  private cidrWaited = false;
  private cidrLookup?: Promise<string | undefined>;
  private bridgeReady?: { cidr: string; done: Promise<void> };
  private lock: Promise<unknown> = Promise.resolve();
  private poll?: NodeJS.Timeout;
  private conflict?: string;
  private stopped = false;
  private readonly api?: ApiEndpoint;
  private readonly relay?: ApiRelay;
  private apiServiceAddress?: ApiEndpoint;
  private lastIp?: { cidr: string; ip: string };
  /** Addresses of removed pods, with when: one handed out again soon has its old connections flushed first. */
  private readonly released = new Map<string, number>();

  private constructor(private readonly opts: PodNetworksOptions, private readonly unavailable: string | undefined) {
    this.bridge = `kb${hash(opts.root, 10)}`;
    this.comment = `keelson pod network ${this.bridge}`;
    this.api = loopbackApi(opts.apiUrl);
    if (this.api) this.relay = new ApiRelay(this.api, opts.log);
  }

  /** Probes what this host allows and loads the recorded pod networks. */
  static async create(opts: PodNetworksOptions): Promise<PodNetworks> {
    const why = opts.enabled ? await cannotSandbox() : 'KEELSON_KUBELET_POD_NETWORK=host';
    const net = new PodNetworks(opts, why);
    if (!why) await sweepStaleBridges(opts.log);
    for (const r of await net.listPodNetworks()) net.records.set(r.uid, r);
    opts.log.info('pod network', why ? { mode: 'host network', reason: why } : { mode: 'network namespace per pod', bridge: net.bridge });
    return net;
  }

  private get stateDir(): string {
    return join(this.opts.root, 'network', 'pods');
  }

  /**
   * Looks for the Node's podCIDR in the background until it is assigned (so the Node's condition
   * and the first pod need not wait for it); stop() ends the polling.
   */
  watchPodCidr(everyMs = 1000): void {
    if (this.unavailable || this.podCidr) return;
    const tick = async (): Promise<void> => {
      const cidr = await this.opts.readPodCidr().catch(() => undefined);
      if (cidr) {
        this.podCidr ??= cidr;
        this.opts.log.info('node pod CIDR', { podCIDR: cidr, bridge: this.bridge });
        await this.ensureBridge(cidr).catch((err: unknown) => this.opts.log.warn('setting up the pod bridge failed; retried with the next pod', { err: String(err) }));
        return;
      }
      if (!this.stopped) this.poll = setTimeout(() => void tick(), everyMs).unref();
    };
    void tick();
  }

  /**
   * The kubelet stops: with no pod network left on this node (every pod deleted), the bridge and
   * its rules go too; otherwise they stay for the pods the next kubelet adopts.
   */
  async shutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.poll);
    this.relay?.close();
    if (this.unavailable || (await this.listPodNetworks()).some((r) => r.ip)) return;
    await removeBridge(this.bridge).catch((err: unknown) => this.opts.log.warn('removing the pod bridge failed', { bridge: this.bridge, err: String(err) }));
  }

  /** Whether pods can get their own namespace on this node (capability only; podCIDR aside). */
  get sandboxCapable(): boolean {
    return this.unavailable === undefined;
  }

  get bridgeName(): string {
    return this.bridge;
  }

  condition(): NetworkCondition {
    const base = { type: 'NetworkUnavailable' as const, status: 'False' as const };
    if (this.unavailable) return { ...base, reason: 'HostNetworkFallback', message: `pods share the host network: ${this.unavailable}` };
    if (!this.podCidr) return { ...base, reason: 'NoPodCIDR', message: 'pods share the host network until the Node has spec.podCIDR (node IPAM, node-lifecycle-controller)' };
    return { ...base, reason: 'PodNetworkReady', message: `each pod has its own network namespace on bridge ${this.bridge}, IPs from ${this.podCidr}${this.conflict ? `; WARNING: ${this.conflict}` : ''}` };
  }

  /** /run/netns/<name> of a sandboxed pod, or undefined (host network, or unknown pod). */
  netnsPath(uid: string): string | undefined {
    const r = this.records.get(uid);
    return r?.netns ? join(NETNS_DIR, r.netns) : undefined;
  }

  /** `argv` run inside the pod's network namespace (unchanged for host-network pods). Spawn it as root. */
  joinArgv(uid: string, argv: string[]): string[] {
    const path = this.netnsPath(uid);
    return path ? ['nsenter', `--net=${path}`, '--', ...argv] : argv;
  }

  /** The pod's addresses, creating its namespace, veth and IP on first call (idempotent). */
  async setUp(pod: Pod): Promise<PodAddresses> {
    const uid = pod.metadata.uid ?? '';
    const hostNet = { podIP: this.opts.hostIP, hostIP: this.opts.hostIP };
    if ((pod.spec as { hostNetwork?: boolean }).hostNetwork === true) return hostNet;
    const known = this.records.get(uid);
    if (known && !known.ip) return hostNet;
    if (!known) {
      const cidr = this.unavailable ? undefined : await this.nodeCidr();
      if (!cidr) {
        await this.serialized(() => this.save({ uid }));
        return hostNet;
      }
    }
    const rec = known ?? (await this.serialized(() => this.allocate(uid)));
    await this.ensureBridge(rec.podCIDR!);
    if (!existsSync(join(NETNS_DIR, rec.netns!)) || !existsSync(`/sys/class/net/${rec.hostVeth!}`)) await this.createSandbox(rec);
    return { podIP: rec.ip!, hostIP: isLoopback(this.opts.hostIP) ? gatewayOf(rec.podCIDR!) : this.opts.hostIP };
  }

  async listPodNetworks(): Promise<PodNetworkRecord[]> {
    let files: string[];
    try {
      files = (await readdir(this.stateDir)).filter((f) => f.endsWith('.json'));
    } catch {
      return [];
    }
    const out: PodNetworkRecord[] = [];
    for (const f of files) {
      try {
        out.push(JSON.parse(await readFile(join(this.stateDir, f), 'utf8')) as PodNetworkRecord);
      } catch { /* a torn write: the uid is the file name */
        out.push({ uid: f.slice(0, -5), netns: NETNS_PREFIX + f.slice(0, -5), hostVeth: vethName(f.slice(0, -5)) });
      }
    }
    return out;
  }

  async removePodNetwork(uid: string): Promise<void> {
    const rec = this.records.get(uid) ?? (await this.readRecord(uid));
    const netns = rec?.netns ?? NETNS_PREFIX + uid;
    const veth = rec?.hostVeth ?? vethName(uid);
    if (existsSync(join(NETNS_DIR, netns))) await run('ip', ['netns', 'delete', netns]);
    // Deleting the namespace takes the peer, and with it this end; a half-made pair may remain.
    if (existsSync(`/sys/class/net/${veth}`)) await run('ip', ['link', 'delete', veth]).catch(() => undefined);
    if (rec?.ip) this.released.set(rec.ip, Date.now());
    this.records.delete(uid);
    await rm(join(this.stateDir, `${uid}.json`), { force: true });
  }

  /** The node's block, waiting (once per kubelet) for node IPAM to assign it. */
  private async nodeCidr(): Promise<string | undefined> {
    if (this.podCidr) return this.podCidr;
    this.cidrLookup ??= (async () => {
      const deadline = Date.now() + (this.cidrWaited ? 0 : this.opts.podCidrWaitMs);
      for (;;) {
        const cidr = await this.opts.readPodCidr().catch((err: unknown) => {
          this.opts.log.warn('reading the node pod CIDR failed', { err: String(err) });
          return undefined;
        });
        if (cidr) {
          this.podCidr = cidr;
          this.opts.log.info('node pod CIDR', { podCIDR: cidr, bridge: this.bridge });
          return cidr;
        }
        if (Date.now() >= deadline) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      if (!this.cidrWaited) this.opts.log.warn('the Node has no spec.podCIDR; pods get the host network until it has one', { waitedMs: this.opts.podCidrWaitMs });
      this.cidrWaited = true;
      return undefined;
    })().finally(() => (this.cidrLookup = undefined));
    return this.cidrLookup;
  }

  /**
   * Picks the next free address of the node's block after the last one handed out (wrapping), as
   * CNI's host-local IPAM does, and records it (serialized). Not the lowest free one: a pod that
   * took an address just released would meet its predecessor's connections still in conntrack
   * (TIME_WAIT, same address and port), and connections through a Service VIP then collide with
   * them. The last address is kept on disk so a restarted kubelet goes on from there.
   */
  private async allocate(uid: string): Promise<PodNetworkRecord> {
    const cidr = this.podCidr!;
    const taken = new Set([...this.records.values()].filter((r) => r.podCIDR === cidr && r.ip).map((r) => r.ip!));
    const last = await this.lastReserved(cidr);
    const ip = nextFreeAddress(cidr, taken, last);
    if (!ip) throw new Error(`no free pod IP left in ${cidr} (${taken.size} in use)`);
    // Round-robin makes this rare (a whole block of pods within TCP's TIME_WAIT); at removal it
    // would cost three conntrack table walks for every pod deleted.
    const freedAt = this.released.get(ip);
    this.released.delete(ip);
    if (freedAt !== undefined && Date.now() - freedAt < CONNTRACK_LINGER_MS) await forgetConnections(ip, this.opts.log);
    const rec: PodNetworkRecord = { uid, ip, netns: NETNS_PREFIX + uid, hostVeth: vethName(uid), bridge: this.bridge, podCIDR: cidr };
    await this.save(rec);
    await this.saveLastReserved(cidr, ip);
    return rec;
  }

  private get lastReservedFile(): string {
    return join(this.opts.root, 'network', 'last-reserved-ip.json');
  }

  private async lastReserved(cidr: string): Promise<string | undefined> {
    if (this.lastIp?.cidr === cidr) return this.lastIp.ip;
    try {
      const saved = JSON.parse(await readFile(this.lastReservedFile, 'utf8')) as { cidr?: string; ip?: string };
      if (saved.cidr === cidr && typeof saved.ip === 'string') return saved.ip;
    } catch { /* none yet, or torn: start from the block's beginning */ }
    return undefined;
  }

  private async saveLastReserved(cidr: string, ip: string): Promise<void> {
    this.lastIp = { cidr, ip };
    await writeJson(this.lastReservedFile, this.lastIp);
  }

  private async createSandbox(rec: PodNetworkRecord): Promise<void> {
    // Leftovers of an interrupted attempt go first, so the batch below starts clean.
    if (existsSync(join(NETNS_DIR, rec.netns!))) await run('ip', ['netns', 'delete', rec.netns!]);
    if (existsSync(`/sys/class/net/${rec.hostVeth!}`)) await run('ip', ['link', 'delete', rec.hostVeth!]).catch(() => undefined);
    const prefix = rec.podCIDR!.split('/')[1];
    await run('ip', ['-batch', '-'], [
      `netns add ${rec.netns!}`,
      `link add ${rec.hostVeth!} type veth peer name eth0 netns ${rec.netns!}`,
      `link set ${rec.hostVeth!} master ${this.bridge} up`,
    ].join('\n') + '\n');
    await run('ip', ['-n', rec.netns!, '-batch', '-'], [
      'link set lo up',
      `addr add ${rec.ip!}/${prefix} dev eth0`,
      'link set eth0 up',
      `route add default via ${gatewayOf(rec.podCIDR!)} dev eth0`,
    ].join('\n') + '\n');
    // Any port is the pod's own to bind, as containerd's CRI and Docker set it in every pod's
    // namespace: a server on :80 runs as the pod's unprivileged user (the sysctl is per netns).
    await run('ip', ['netns', 'exec', rec.netns!, '/bin/sh', '-c', 'echo 0 > /proc/sys/net/ipv4/ip_unprivileged_port_start']).catch((err: unknown) => this.opts.log.warn('ports below 1024 stay privileged in this pod', { pod: rec.uid, err: String(err) }));
    // The API on the host's loopback, at the same 127.0.0.1:<port> the pod is told (api-access.ts).
    if (this.api) await run('nsenter', [`--net=${join(NETNS_DIR, rec.netns!)}`, '--', '/bin/sh', '-c', POD_API_SCRIPT], podApiRules(rec.ip!, gatewayOf(rec.podCIDR!), this.api.port, await this.apiService()));
  }

  /** The `kubernetes` Service's address, read once it is known (a pod made before that gets only the loopback path). */
  private async apiService(): Promise<ApiEndpoint | undefined> {
    if (this.apiServiceAddress || !this.opts.readApiService) return this.apiServiceAddress;
    try {
      this.apiServiceAddress = await this.opts.readApiService();
    } catch (err) {
      this.opts.log.warn('cannot read the kubernetes Service; this pod reaches the API at 127.0.0.1 only', { err: String(err) });
    }
    return this.apiServiceAddress;
  }

  /** The node's bridge with the block's gateway address, forwarding on, and its iptables rules. */
  private ensureBridge(cidr: string): Promise<void> {
    // Made already, unless someone deleted the bridge since (then it is made again).
    if (this.bridgeReady?.cidr === cidr && existsSync(`/sys/class/net/${this.bridge}`)) return this.bridgeReady.done;
    const done = this.setUpBridge(cidr);
    this.bridgeReady = { cidr, done };
    done.catch(() => (this.bridgeReady = undefined));
    return done;
  }

  private async setUpBridge(cidr: string): Promise<void> {
    const br = this.bridge;
    const gw = `${gatewayOf(cidr)}/${cidr.split('/')[1]}`;
    if (!existsSync(`/sys/class/net/${br}`)) await run('ip', ['link', 'add', br, 'type', 'bridge']).catch((err: unknown) => {
      if (!existsSync(`/sys/class/net/${br}`)) throw err; // raced with another start of ours
    });
    // Another bridge with this block (a second cluster on this machine with the same cluster
    // CIDR): the kernel routes the block to one of them only. Said in the Node's condition.
    const clash = (await run('ip', ['-4', '-o', 'route', 'show', 'exact', cidr]).catch(() => '')).split('\n').map((l) => /\bdev (\S+)/.exec(l)?.[1]).find((d) => d && d !== br);
    this.conflict = clash ? `${cidr} is also routed to ${clash} (another cluster on this machine with the same KEELSON_CLUSTER_CIDR?): pods may not reach each other` : undefined;
    if (this.conflict) this.opts.log.warn('pod CIDR conflict', { bridge: br, cidr, other: clash });
    // A Node re-registered with a new block: the old gateway address goes.
    const addrs = (await run('ip', ['-4', '-o', 'addr', 'show', 'dev', br])).split('\n').map((l) => /inet (\S+)/.exec(l)?.[1]).filter((a): a is string => !!a);
    for (const a of addrs) if (a !== gw) await run('ip', ['addr', 'del', a, 'dev', br]);
    if (!addrs.includes(gw)) await run('ip', ['addr', 'add', gw, 'dev', br]);
    // The alias names the kubelet root, so a later kubelet can tell a bridge whose node is gone.
    await run('ip', ['link', 'set', br, 'alias', `${BRIDGE_ALIAS_PREFIX}${this.opts.root}`]);
    await run('ip', ['link', 'set', br, 'up']);
    await writeFile('/proc/sys/net/ipv4/ip_forward', '1');
    const tag = ['-m', 'comment', '--comment', this.comment];
    for (const ipt of await iptablesBackends()) {
      await ensureRule(ipt, 'filter', 'FORWARD', ['-i', br, ...tag, '-j', 'ACCEPT']);
      await ensureRule(ipt, 'filter', 'FORWARD', ['-o', br, ...tag, '-j', 'ACCEPT']);
    }
    if (await succeeds('iptables', ['--version'])) await ensureRule('iptables', 'nat', 'POSTROUTING', ['-s', cidr, '!', '-o', 'kb+', ...tag, '-j', 'MASQUERADE']);
    else this.opts.log.warn('iptables not found: pods reach other nodes on this machine, but not beyond it, and not past a DROP forward policy');
    if (this.relay) await this.relay.listen(gatewayOf(cidr)).catch((err: unknown) => this.opts.log.warn('pods cannot reach the API: the relay on the bridge failed', { err: String(err) }));
    if (this.dns) {
      await this.dns.server.listen(gatewayOf(cidr)).then(
        () => { this.dnsAddress = gatewayOf(cidr); },
        (err: unknown) => this.opts.log.warn('pods get the host\'s resolv.conf: the cluster DNS server on the bridge failed', { err: String(err) }),
      );
    }
  }

  /** Where this node serves cluster DNS to its pods (undefined until the bridge is up, or without it). */
  clusterDns(): ClusterDns | undefined {
    return this.dns && this.dnsAddress ? { servers: [this.dnsAddress], domain: this.dns.domain } : undefined;
  }

  private async readRecord(uid: string): Promise<PodNetworkRecord | undefined> {
    try {
      return JSON.parse(await readFile(join(this.stateDir, `${uid}.json`), 'utf8')) as PodNetworkRecord;
    } catch {
      return undefined;
    }
  }

  private async save(rec: PodNetworkRecord): Promise<void> {
    await mkdir(this.stateDir, { recursive: true });
    await writeJson(join(this.stateDir, `${rec.uid}.json`), rec);
    this.records.set(rec.uid, rec);
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lock.then(fn, fn);
    this.lock = next.catch(() => undefined);
    return next;
  }
}

const BRIDGE_ALIAS_PREFIX = 'keelson-kubelet-root:';

/** Writes `value` as JSON in one step (a temporary file renamed over it): never a torn file. */
async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(`${file}.tmp`, JSON.stringify(value));
  await rename(`${file}.tmp`, file);
}

const RULE_TAG = /"keelson pod network (kb[0-9a-f]{10})"/;

/**
 * Deletes the iptables rules tagged with a bridge's name (`which` says which bridges: all of
 * them when it answers true); returns the bridges whose rules were found.
 */
async function removeBridgeRules(which: (bridge: string) => boolean): Promise<Set<string>> {
  const found = new Set<string>();
  for (const ipt of ['iptables', 'iptables-legacy']) {
    for (const [table, chain] of [['filter', 'FORWARD'], ['nat', 'POSTROUTING']]) {
      const rules = await run(ipt, ['-w', '-t', table, '-S', chain]).catch(() => '');
      for (const line of rules.split('\n')) {
        const bridge = RULE_TAG.exec(line)?.[1];
        if (!line.startsWith(`-A ${chain} `) || !bridge || !which(bridge)) continue;
        found.add(bridge);
        // -S prints the rule as it was added; the same words after -D delete it (quotes unwrapped).
        const words = line.slice(3).match(/"[^"]*"|\S+/g)!.map((w) => w.replace(/^"(.*)"$/, '$1'));
        await run(ipt, ['-w', '-t', table, '-D', ...words]).catch(() => undefined);
      }
    }
  }
  return found;
}

/** Deletes a node bridge and the iptables rules tagged with its name. */
async function removeBridge(bridge: string): Promise<void> {
  await removeBridgeRules((b) => b === bridge);
  if (existsSync(`/sys/class/net/${bridge}`)) await run('ip', ['link', 'delete', bridge, 'type', 'bridge']);
}

/** Bridges of kubelets whose root directory is gone (a test cluster's, a removed node's) are removed. */
async function sweepStaleBridges(log: Logger): Promise<void> {
  const out = await run('ip', ['-o', '-d', 'link', 'show', 'type', 'bridge']).catch(() => '');
  for (const line of out.split('\n')) {
    const name = /^\d+: (kb[0-9a-f]{10})[:@]/.exec(line)?.[1];
    const root = /alias (.*?)(?:\\|$)/.exec(line)?.[1]?.trim();
    if (!name) continue;
    const known = root?.startsWith(BRIDGE_ALIAS_PREFIX);
    // Named for a kubelet root that still exists: that kubelet's.
    if (known && existsSync(root!.slice(BRIDGE_ALIAS_PREFIX.length))) continue;
    const ports = new Set(await readdir(`/sys/class/net/${name}/brif`).catch(() => [] as string[]));
    if (ports.size && !known) continue; // made before bridges had an alias, and in use: not ours to judge
    // Its kubelet's state is gone, so nothing will adopt these pod namespaces: they go with it.
    if (ports.size) {
      for (const ns of await readdir(NETNS_DIR).catch(() => [] as string[])) {
        if (!ns.startsWith(NETNS_PREFIX) || !ports.has(vethName(ns.slice(NETNS_PREFIX.length)))) continue;
        await run('ip', ['netns', 'delete', ns]).catch(() => undefined);
      }
      for (const v of ports) if (existsSync(`/sys/class/net/${v}`)) await run('ip', ['link', 'delete', v]).catch(() => undefined);
    }
    log.info('removing an unused bridge of a kubelet whose root is gone', { bridge: name, root: root?.slice(BRIDGE_ALIAS_PREFIX.length) ?? '(unknown)' });
    await run('ip', ['link', 'delete', name, 'type', 'bridge']).catch((err: unknown) => log.warn('removing a stale bridge failed', { bridge: name, err: String(err) }));
  }
  // The rules of every bridge that is gone, in one pass: those just removed, and those deleted by
  // hand (or a host whose links went with a reboot while its iptables rules were restored).
  const orphaned = await removeBridgeRules((b) => !existsSync(`/sys/class/net/${b}`)).catch(() => new Set<string>());
  if (orphaned.size) log.info('removed iptables rules of pod bridges that no longer exist', { bridges: [...orphaned] });
}

/** How long conntrack keeps a closed TCP connection (TIME_WAIT 120 s, and some margin). */
const CONNTRACK_LINGER_MS = 180_000;

/**
 * Deletes the host's conntrack entries of a removed pod's address before it is handed out again:
 * its connections in TIME_WAIT would otherwise outlive it and meet the next pod given the address.
 * Every direction: its own connections (SNATed or not), those made to it directly, and those
 * DNATed to it. Best effort: without the conntrack tool (or entries) there is nothing to do; the
 * allocator does not reuse addresses soon.
 */
async function forgetConnections(ip: string, log: Logger): Promise<void> {
  const missing = await Promise.all(['--orig-src', '--orig-dst', '--reply-src'].map((flag) => run('conntrack', ['-D', flag, ip], undefined, 5_000).then(
    () => false,
    // Exit 1 with "0 flow entries have been deleted" is the usual answer; a missing binary is ENOENT.
    (err: unknown) => (err as CommandError).code === 'ENOENT',
  )));
  if (missing.some(Boolean)) log.debug('conntrack is not installed: a removed pod\'s connections stay in the table until they time out', { ip });
}

/** Why this host cannot give pods network namespaces, or undefined when it can (tried for real). */
async function cannotSandbox(): Promise<string | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'the kubelet is not root (network namespaces need CAP_SYS_ADMIN and CAP_NET_ADMIN)';
  if (!(await succeeds('ip', ['-V']))) return 'iproute2 (`ip`) is not installed';
  if (!(await succeeds('nsenter', ['--version']))) return 'nsenter (util-linux) is not installed';
  const probe = `${NETNS_PREFIX}probe-${process.pid}`;
  try {
    await run('ip', ['netns', 'add', probe]);
  } catch (err) {
    return `cannot create a network namespace: ${(err as Error).message}`;
  }
  await run('ip', ['netns', 'delete', probe]).catch(() => undefined);
  return undefined;
}

/**
 * The iptables front ends whose FORWARD chain pod traffic crosses: the default one, and the
 * legacy one too when something (an older Docker) set a DROP policy there — a packet must pass both.
 */
async function iptablesBackends(): Promise<string[]> {
  const out: string[] = [];
  if (await succeeds('iptables', ['--version'])) out.push('iptables');
  const legacy = await run('iptables-legacy', ['-w', '-S', 'FORWARD']).catch(() => '');
  if (/^-P FORWARD DROP/m.test(legacy) && !(await run('iptables', ['--version']).catch(() => '')).includes('legacy')) out.push('iptables-legacy');
  return out;
}

async function ensureRule(ipt: string, table: string, chain: string, rule: string[]): Promise<void> {
  if (await succeeds(ipt, ['-w', '-t', table, '-C', chain, ...rule])) return;
  await run(ipt, ['-w', '-t', table, '-I', chain, '1', ...rule]);
}

function hash(s: string, n: number): string {
  return createHash('sha256').update(s).digest('hex').slice(0, n);
}

/** Interface names are at most 15 characters: kv + 12 hex of the pod uid. */
export function vethName(uid: string): string {
  return `kv${hash(uid, 12)}`;
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1' || ip === 'localhost';
}

function ipToNumber(ip: string): number {
  return ip.split('.').reduce((n, p) => n * 256 + Number(p), 0);
}

function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/**
 * The first address of the block's pod range (.2 up to the one before broadcast) after `last`,
 * wrapping round, that is not taken; undefined when all are. Without `last` (or one outside the
 * block), the range's first address is tried first.
 */
export function nextFreeAddress(cidr: string, taken: ReadonlySet<string>, last?: string): string | undefined {
  const { base, size } = parseBlock(cidr);
  const first = 2; // .0 is the network, .1 the bridge, the last the broadcast address.
  const count = size - 3;
  if (count <= 0) return undefined;
  const l = last && /^\d+\.\d+\.\d+\.\d+$/.test(last) ? ipToNumber(last) - base : -1;
  const start = l >= first && l < first + count ? l - first + 1 : 0;
  for (let k = 0; k < count; k++) {
    const ip = numberToIp(base + first + ((start + k) % count));
    if (!taken.has(ip)) return ip;
  }
  return undefined;
}

function parseBlock(cidr: string): { base: number; size: number } {
  const [ip, prefix] = cidr.split('/');
  const size = 2 ** (32 - Number(prefix));
  const n = ipToNumber(ip);
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip) || !(Number(prefix) >= 8 && Number(prefix) <= 30)) throw new Error(`pod CIDR ${JSON.stringify(cidr)} is not an IPv4 block between /8 and /30`);
  return { base: n - (n % size), size };
}

/** The block's first host address: the bridge, and every pod's default gateway. */
export function gatewayOf(cidr: string): string {
  return numberToIp(parseBlock(cidr).base + 1);
}
