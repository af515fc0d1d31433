// A pod's /etc/resolv.conf, as the kubelet builds it (pkg/kubelet/network/dns): by dnsPolicy —
//   ClusterFirst (the default): the cluster DNS server, search <ns>.svc.<domain> svc.<domain>
//     <domain> and the host's search domains, options ndots:5; a hostNetwork pod gets the host's
//   ClusterFirstWithHostNet: the cluster's, host network or not
//   Default: the host's file; None: only spec.dnsConfig
// then spec.dnsConfig's nameservers and searches appended and its options merged over by name.
// Without a cluster DNS server on this node, cluster policies fall back to the host's (as the
// kubelet without --cluster-dns).
import type { Pod } from '../../types';

export interface ClusterDns {
  servers: string[];
  domain: string;
}

interface ResolvConf {
  nameservers: string[];
  searches: string[];
  options: string[];
}

interface DnsConfig {
  nameservers?: string[];
  searches?: string[];
  options?: Array<{ name?: string; value?: string }>;
}

/** kube's limits (validation.MaxDNSNameservers, MaxDNSSearchPaths). */
const MAX_NAMESERVERS = 3;
const MAX_SEARCHES = 32;

export function parseResolvConf(text: string): ResolvConf {
  const out: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...fields] = line.split(/\s+/);
    if (key === 'nameserver' && fields[0]) out.nameservers.push(fields[0]);
    else if (key === 'search' || key === 'domain') out.searches = fields; // the last one wins, as in glibc
    else if (key === 'options') out.options.push(...fields);
  }
  return out;
}

const unique = (xs: string[]): string[] => [...new Set(xs)];

function mergeOptions(base: string[], extra: DnsConfig['options']): string[] {
  const byName = new Map(base.map((o) => [o.split(':')[0], o]));
  for (const o of extra ?? []) if (o.name) byName.set(o.name, o.value !== undefined && o.value !== '' ? `${o.name}:${o.value}` : o.name);
  return [...byName.values()];
}

/** The file's text for `pod`, given the host's resolv.conf and this node's cluster DNS (if any). */
export function podResolvConf(pod: Pod, hostText: string, cluster: ClusterDns | undefined): string {
  const spec = pod.spec as { dnsPolicy?: string; hostNetwork?: boolean; dnsConfig?: DnsConfig };
  const policy = spec.dnsPolicy ?? 'ClusterFirst';
  const host = parseResolvConf(hostText);
  const wantsCluster = policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && spec.hostNetwork !== true);
  let conf: ResolvConf;
  if (policy === 'None') conf = { nameservers: [], searches: [], options: [] };
  else if (wantsCluster && cluster?.servers.length) {
    const ns = pod.metadata.namespace ?? 'default';
    const d = cluster.domain;
    conf = { nameservers: [...cluster.servers], searches: [`${ns}.svc.${d}`, `svc.${d}`, d, ...host.searches], options: ['ndots:5'] };
  } else conf = host;
  const extra = spec.dnsConfig ?? {};
  conf = {
    nameservers: unique([...conf.nameservers, ...(extra.nameservers ?? [])]).slice(0, MAX_NAMESERVERS),
    searches: unique([...conf.searches, ...(extra.searches ?? [])]).slice(0, MAX_SEARCHES),
    options: mergeOptions(conf.options, extra.options),
  };
  const lines: string[] = [];
  if (conf.searches.length) lines.push(`search ${conf.searches.join(' ')}`);
  for (const n of conf.nameservers) lines.push(`nameserver ${n}`);
  if (conf.options.length) lines.push(`options ${conf.options.join(' ')}`);
  return `${lines.join('\n')}\n`;
}
