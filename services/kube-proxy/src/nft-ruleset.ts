// The nftables ruleset of one kube-proxy, rendered from the Service ports it proxies. The
// layout follows upstream kube-proxy's nftables mode (pkg/proxy/nftables/proxier.go), in a table
// of our own (`ip <table>`), so nothing here reads or writes another program's rules (Docker's
// iptables-nft chains live in tables `ip nat`/`ip filter`):
//
//   nat-prerouting / nat-output (dstnat)  → services: `daddr . proto . dport` vmap @service-ips
//                                            (cluster and external IPs), then node ports on any
//                                            local address vmap @service-nodeports
//   svc-<h>   one per Service port: host-originated traffic is marked for masquerade; with
//             ClientIP affinity a client seen recently goes to its endpoint again; otherwise
//             `numgen random mod N` picks an endpoint (what kube-proxy's statistic/numgen does)
//   ext-<h>   a node port: marked for masquerade (the reply must come back through this node)
//   ep-<h>    one per endpoint: hairpin traffic (the endpoint calling its own Service) is marked,
//             affinity is recorded (`update @aff-<h> { ip saddr }`), then `dnat to ip:port`
//   nat-postrouting (srcnat) → masquerading: packets carrying the mark are masqueraded
//   filter-{input,forward,output} (priority -110, new connections only) → a Service port with
//             no endpoints is in @no-endpoint-services / @no-endpoint-nodeports → `reject`
//             (ICMP port unreachable: the client sees "connection refused", as with kube)
//
// Each sync is one `nft -f` transaction: the table's rules and maps are flushed and rewritten
// while affinity sets keep their entries; chains and sets no longer used are deleted.
import { createHash } from 'node:crypto';
import type { ServicePortInfo } from './service-endpoints';

/** kube-proxy's masquerade bit (--masquerade-bit 14). */
export const MASQUERADE_MARK = '0x00004000';

export interface RulesetOptions {
  table: string;
  /** Mark every proxied connection for masquerade (when bridged replies bypass netfilter: no br_netfilter). */
  masqueradeAll: boolean;
  /** Accept node ports on 127.0.0.0/8 too (needs net.ipv4.conf.*.route_localnet=1, as kube-proxy's iptables mode). */
  localhostNodePorts: boolean;
}

export interface Ruleset {
  /** The nft script (after the existing chains/sets are known, see render's `existing`). */
  script: string;
  chains: string[];
  sets: string[];
  /** Counts for logs and metrics. */
  servicePorts: number;
  endpoints: number;
}

const BASE_CHAINS: Array<[string, string]> = [
  ['nat-prerouting', 'type nat hook prerouting priority -100; policy accept;'],
  ['nat-output', 'type nat hook output priority -100; policy accept;'],
  ['nat-postrouting', 'type nat hook postrouting priority 100; policy accept;'],
  ['filter-input', 'type filter hook input priority -110; policy accept;'],
  ['filter-forward', 'type filter hook forward priority -110; policy accept;'],
  ['filter-output', 'type filter hook output priority -110; policy accept;'],
];
const FIXED_CHAINS = ['services', 'service-endpoints-check', 'nodeport-endpoints-check', 'mark-for-masquerade', 'masquerading', 'reject-chain'];
const MAPS: Array<[string, string]> = [
  ['service-ips', 'type ipv4_addr . inet_proto . inet_service : verdict;'],
  ['service-nodeports', 'type inet_proto . inet_service : verdict;'],
  ['no-endpoint-services', 'type ipv4_addr . inet_proto . inet_service : verdict;'],
  ['no-endpoint-nodeports', 'type inet_proto . inet_service : verdict;'],
];

function hash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 12);
}

/** nft string literal for a comment (quotes and backslashes cannot appear in kube names anyway). */
function comment(text: string): string {
  return `comment "${text.replace(/["\\]/g, '')}"`;
}

const proto = (p: ServicePortInfo): string => p.protocol.toLowerCase();

/** Renders the whole desired state. `existing` lists chains and sets the table holds now. */
export function renderRuleset(ports: ServicePortInfo[], opts: RulesetOptions, existing: { chains: string[]; sets: string[] } = { chains: [], sets: [] }): Ruleset {
  const t = `ip ${opts.table}`;
  const lines: string[] = [];
  const chains = new Set<string>([...BASE_CHAINS.map(([c]) => c), ...FIXED_CHAINS]);
  const sets = new Set<string>(MAPS.map(([m]) => m));
  const body: string[] = [];
  const elements: string[] = [];
  let endpointCount = 0;

  const rule = (chain: string, text: string): void => { body.push(`add rule ${t} ${chain} ${text}`); };

  // Fixed plumbing.
  rule('nat-prerouting', 'jump services');
  rule('nat-output', 'jump services');
  rule('nat-postrouting', 'jump masquerading');
  rule('filter-input', 'ct state new jump nodeport-endpoints-check');
  if (opts.localhostNodePorts) {
    // kube's KUBE-FIREWALL guard for route_localnet: nothing from outside reaches 127/8 unless we DNATed it.
    rule('filter-input', 'iifname != "lo" ip daddr 127.0.0.0/8 ct state != { established, related } ct status != dnat drop');
  }
  rule('filter-forward', 'ct state new jump service-endpoints-check');
  rule('filter-output', 'ct state new jump service-endpoints-check');
  rule('filter-output', 'ct state new jump nodeport-endpoints-check');
  rule('service-endpoints-check', 'ip daddr . meta l4proto . th dport vmap @no-endpoint-services');
  rule('nodeport-endpoints-check', `${opts.localhostNodePorts ? '' : 'ip daddr != 127.0.0.0/8 '}fib daddr type local meta l4proto . th dport vmap @no-endpoint-nodeports`);
  rule('services', 'ip daddr . meta l4proto . th dport vmap @service-ips');
  rule('services', `${opts.localhostNodePorts ? '' : 'ip daddr != 127.0.0.0/8 '}fib daddr type local meta l4proto . th dport vmap @service-nodeports`);
  rule('mark-for-masquerade', `meta mark set meta mark | ${MASQUERADE_MARK}`);
  rule('masquerading', `meta mark & ${MASQUERADE_MARK} == 0 return`);
  rule('masquerading', `meta mark set meta mark ^ ${MASQUERADE_MARK}`);
  rule('masquerading', 'masquerade fully-random');
  rule('reject-chain', 'reject');

  for (const p of [...ports].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const vips = [...(p.clusterIP ? [p.clusterIP] : []), ...p.externalIPs];
    const key = (ip: string): string => `${ip} . ${proto(p)} . ${p.port}`;
    if (p.endpoints.length === 0) {
      for (const ip of vips) elements.push(`add element ${t} no-endpoint-services { ${key(ip)} : goto reject-chain }`);
      if (p.nodePort) elements.push(`add element ${t} no-endpoint-nodeports { ${proto(p)} . ${p.nodePort} : goto reject-chain }`);
      continue;
    }
    const h = hash(p.id, p.protocol);
    const svc = `svc-${h}`;
    chains.add(svc);
    for (const ip of vips) elements.push(`add element ${t} service-ips { ${key(ip)} : goto ${svc} }`);
    // Traffic from this host (a host process, a host-network pod) is masqueraded so the reply finds its way back.
    rule(svc, `fib saddr type local jump mark-for-masquerade ${comment(p.id)}`);
    if (opts.masqueradeAll) rule(svc, 'jump mark-for-masquerade');
    if (p.nodePort) {
      const ext = `ext-${h}`;
      chains.add(ext);
      elements.push(`add element ${t} service-nodeports { ${proto(p)} . ${p.nodePort} : goto ${ext} }`);
      rule(ext, `jump mark-for-masquerade ${comment(`${p.id} nodePort ${p.nodePort}`)}`);
      rule(ext, `goto ${svc}`);
    }
    const eps = p.endpoints.map((e) => ({ ...e, chain: `ep-${hash(p.id, p.protocol, e.ip, String(e.port))}` }));
    const affinitySet = (chain: string): string => `aff-${chain.slice(3)}-${p.affinityTimeoutSeconds}`;
    if (p.affinityTimeoutSeconds !== undefined) {
      for (const e of eps) rule(svc, `ip saddr @${affinitySet(e.chain)} goto ${e.chain}`);
    }
    if (eps.length === 1) {
      rule(svc, `goto ${eps[0].chain}`);
    } else {
      rule(svc, `numgen random mod ${eps.length} vmap { ${eps.map((e, i) => `${i} : goto ${e.chain}`).join(', ')} }`);
    }
    for (const e of eps) {
      chains.add(e.chain);
      endpointCount++;
      // Hairpin: the endpoint reaching itself through the VIP would get its own packet back unmasqueraded.
      rule(e.chain, `ip saddr ${e.ip} jump mark-for-masquerade ${comment(`${p.id} -> ${e.ip}:${e.port}`)}`);
      if (p.affinityTimeoutSeconds !== undefined) {
        const set = affinitySet(e.chain);
        sets.add(set);
        lines.push(`add set ${t} ${set} { type ipv4_addr; flags dynamic,timeout; timeout ${p.affinityTimeoutSeconds}s; }`);
        rule(e.chain, `update @${set} { ip saddr }`);
      }
      rule(e.chain, `meta l4proto ${proto(p)} dnat to ${e.ip}:${e.port}`);
    }
  }

  const head: string[] = [`add table ${t}`];
  for (const [name, spec] of BASE_CHAINS) head.push(`add chain ${t} ${name} { ${spec} }`);
  for (const [name, spec] of MAPS) head.push(`add map ${t} ${name} { ${spec} }`);
  // Rules go; affinity sets keep their members (a client stays on its endpoint across syncs).
  head.push(`flush table ${t}`);
  for (const [name] of MAPS) head.push(`flush map ${t} ${name}`);
  for (const c of chains) if (!BASE_CHAINS.some(([b]) => b === c)) head.push(`add chain ${t} ${c}`);
  const tail: string[] = [];
  for (const c of existing.chains) if (!chains.has(c)) tail.push(`delete chain ${t} ${c}`);
  for (const s of existing.sets) if (!sets.has(s)) tail.push(`delete set ${t} ${s}`);
  return {
    script: [...head, ...lines, ...body, ...elements, ...tail, ''].join('\n'),
    chains: [...chains],
    sets: [...sets],
    servicePorts: ports.length,
    endpoints: endpointCount,
  };
}

/** Chains and sets (maps included) named in `nft -t list table` output. */
export function parseTableListing(text: string): { chains: string[]; sets: string[] } {
  const chains: string[] = [];
  const sets: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(chain|set|map)\s+(\S+)\s*\{/.exec(line);
    if (!m) continue;
    if (m[1] === 'chain') chains.push(m[2]);
    else sets.push(m[2]);
  }
  return { chains, sets };
}
