// The cluster's DNS names, as the Kubernetes DNS specification defines them
// (kubernetes/dns docs/specification.md, served by CoreDNS's kubernetes plugin), answered from the
// kubelet's Service and EndpointSlice informers:
//   <service>.<ns>.svc.<domain>             A/AAAA: the cluster IPs; headless: each ready endpoint;
//                                           ExternalName: a CNAME to spec.externalName
//   <hostname>.<service>.<ns>.svc.<domain>  A/AAAA of a headless Service's endpoint with that
//                                           hostname (a StatefulSet's pods) or dashed address
//   _<port>._<proto>.<service>.<ns>.svc.<domain>  SRV per named port (and endpoint, headless)
//   <a-b-c-d>.<ns>.pod.<domain>             A a.b.c.d
//   <d.c.b.a>.in-addr.arpa                  PTR of a cluster IP or a named endpoint
// A name of the zone that does not exist is NXDOMAIN; one that exists without records of the
// asked type is NOERROR with no answer (NODATA), both with the zone's SOA, TTL 5 s as CoreDNS.
import { isIPv4, isIPv6 } from 'node:net';
import type { KubeObject } from '@keelson/api';
import { RCODE, TYPE, type Answer, type Question, type RecordData, type ResourceRecord } from './wire';

type ServicePort = { name?: string; port?: number; protocol?: string };
/** One ready endpoint of a headless Service: its DNS label, addresses and its slice's ports. */
interface Endpoint { label: string; addresses: string[]; ports: ServicePort[] }

export interface DnsService extends KubeObject {
  spec?: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    externalName?: string;
    publishNotReadyAddresses?: boolean;
    ports?: ServicePort[];
  };
}

export interface DnsEndpointSlice extends KubeObject {
  addressType?: string;
  endpoints?: Array<{ addresses?: string[]; hostname?: string; conditions?: { ready?: boolean } }>;
  ports?: ServicePort[];
}

export interface ZoneSources {
  service(namespace: string, name: string): DnsService | undefined;
  /** Every Service (for reverse lookups). */
  services(): DnsService[];
  /** The EndpointSlices of a Service (label kubernetes.io/service-name). */
  slicesOf(namespace: string, service: string): DnsEndpointSlice[];
}

const TTL = 5;
const NODATA = (soa: ResourceRecord): Answer => ({ rcode: RCODE.NOERROR, aa: true, answers: [], authority: [soa] });

export class ClusterZone {
  private readonly soa: ResourceRecord;

  constructor(readonly domain: string, private readonly src: ZoneSources) {
    this.soa = { name: domain, ttl: TTL, data: { type: 'SOA', mname: `ns.dns.${domain}`, rname: `hostmaster.${domain}`, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: TTL } };
  }

  /** The answer for a name this server is authoritative for; undefined: someone else's (forward it). */
  answer(q: Question): Answer | undefined {
    const name = q.name;
    if (name.endsWith('.in-addr.arpa') || name.endsWith('.ip6.arpa')) return this.reverse(q);
    if (name !== this.domain && !name.endsWith(`.${this.domain}`)) return undefined;
    const labels = name === this.domain ? [] : name.slice(0, -this.domain.length - 1).split('.');
    const nx: Answer = { rcode: RCODE.NXDOMAIN, aa: true, answers: [], authority: [this.soa] };
    if (!labels.length) return q.type === TYPE.SOA ? { rcode: RCODE.NOERROR, aa: true, answers: [this.soa] } : NODATA(this.soa);
    const kind = labels.at(-1);
    if (kind === 'svc') {
      const [first, second, third, fourth] = labels;
      switch (labels.length) {
        case 1: case 2: return NODATA(this.soa); // svc.<domain>, <ns>.svc.<domain>: empty non-terminals
        case 3: return this.serviceRecords(q, first, second) ?? nx;
        case 4: return this.endpointRecords(q, first, second, third) ?? nx;
        case 5: return first.startsWith('_') && second.startsWith('_') ? (this.srvRecords(q, first.slice(1), second.slice(1), third, fourth) ?? nx) : nx;
        default: return nx;
      }
    }
    if (kind === 'pod') {
      if (labels.length === 2) return NODATA(this.soa);
      if (labels.length !== 3) return nx;
      const ip = labels[0].replace(/-/g, '.');
      if (!isIPv4(ip)) return nx;
      return this.addresses(q, [ip]);
    }
    return nx;
  }

  private rr(name: string, data: RecordData): ResourceRecord {
    return { name, ttl: TTL, data };
  }

  /** A/AAAA for `ips` at the question's name, NODATA for other types. */
  private addresses(q: Question, ips: string[]): Answer {
    const want = q.type === TYPE.A ? isIPv4 : q.type === TYPE.AAAA ? isIPv6 : q.type === TYPE.ANY ? () => true : undefined;
    if (!want) return NODATA(this.soa);
    const answers = [...new Set(ips)].filter((ip) => want(ip)).map((ip) => this.rr(q.name, isIPv4(ip) ? { type: 'A', address: ip } : { type: 'AAAA', address: ip }));
    return answers.length ? { rcode: RCODE.NOERROR, aa: true, answers } : NODATA(this.soa);
  }

  private serviceRecords(q: Question, name: string, ns: string): Answer | undefined {
    const svc = this.src.service(ns, name);
    if (!svc) return undefined;
    const spec = svc.spec ?? {};
    if (spec.type === 'ExternalName' && spec.externalName) {
      return { rcode: RCODE.NOERROR, aa: true, answers: [this.rr(q.name, { type: 'CNAME', target: spec.externalName.replace(/\.$/, '').toLowerCase() })] };
    }
    const ips = clusterIPs(svc);
    if (ips.length) return this.addresses(q, ips);
    // Headless: the endpoints themselves.
    return this.addresses(q, this.endpoints(svc).flatMap((e) => e.addresses));
  }

  private endpointRecords(q: Question, host: string, name: string, ns: string): Answer | undefined {
    const svc = this.src.service(ns, name);
    if (!svc || clusterIPs(svc).length) return undefined;
    const matching = this.endpoints(svc).filter((e) => e.label === host);
    return matching.length ? this.addresses(q, matching.flatMap((e) => e.addresses)) : undefined;
  }

  private srvRecords(q: Question, port: string, proto: string, name: string, ns: string): Answer | undefined {
    const svc = this.src.service(ns, name);
    if (!svc) return undefined;
    const fqdn = `${name}.${ns}.svc.${this.domain}`;
    const matches = (p: ServicePort): boolean => p.name === port && (p.protocol ?? 'TCP').toLowerCase() === proto;
    let answers: ResourceRecord[];
    if (clusterIPs(svc).length) {
      answers = (svc.spec?.ports ?? []).filter(matches).map((p) => this.rr(q.name, { type: 'SRV', priority: 0, weight: 100, port: p.port ?? 0, target: fqdn }));
    } else {
      answers = this.endpoints(svc).flatMap((e) => e.ports.filter(matches).map((p) => this.rr(q.name, { type: 'SRV', priority: 0, weight: 100, port: p.port ?? 0, target: `${e.label}.${fqdn}` })));
    }
    if (!answers.length) return undefined;
    return q.type === TYPE.SRV || q.type === TYPE.ANY ? { rcode: RCODE.NOERROR, aa: true, answers } : NODATA(this.soa);
  }

  /** A headless Service's endpoints: ready ones (all with publishNotReadyAddresses), each with its DNS label. */
  private endpoints(svc: DnsService): Endpoint[] {
    const all = svc.spec?.publishNotReadyAddresses === true;
    const out: Endpoint[] = [];
    for (const slice of this.src.slicesOf(svc.metadata.namespace ?? 'default', svc.metadata.name ?? '')) {
      for (const e of slice.endpoints ?? []) {
        const addresses = (e.addresses ?? []).filter((a) => isIPv4(a) || isIPv6(a));
        if (!addresses.length || (!all && e.conditions?.ready === false)) continue;
        out.push({ label: (e.hostname ?? addresses[0].replace(/[.:]/g, '-')).toLowerCase(), addresses, ports: slice.ports ?? [] });
      }
    }
    return out;
  }

  private reverse(q: Question): Answer | undefined {
    const ip = reverseAddress(q.name);
    if (!ip) return undefined;
    const targets: string[] = [];
    for (const svc of this.src.services()) {
      const ns = svc.metadata.namespace ?? 'default';
      const fqdn = `${svc.metadata.name}.${ns}.svc.${this.domain}`;
      const ips = clusterIPs(svc);
      if (ips.includes(ip)) targets.push(fqdn);
      else if (!ips.length) for (const e of this.endpoints(svc)) if (e.addresses.includes(ip)) targets.push(`${e.label}.${fqdn}`);
    }
    if (!targets.length) return undefined; // not a cluster address: the upstream may know it
    if (q.type !== TYPE.PTR && q.type !== TYPE.ANY) return { rcode: RCODE.NOERROR, aa: true, answers: [] };
    return { rcode: RCODE.NOERROR, aa: true, answers: targets.map((t) => this.rr(q.name, { type: 'PTR', target: t })) };
  }
}

function clusterIPs(svc: DnsService): string[] {
  const spec = svc.spec ?? {};
  const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  return ips.filter((ip) => ip !== 'None' && (isIPv4(ip) || isIPv6(ip)));
}

/** d.c.b.a.in-addr.arpa → a.b.c.d; the 32 nibbles of ip6.arpa → the IPv6 address. */
export function reverseAddress(name: string): string | undefined {
  if (name.endsWith('.in-addr.arpa')) {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
    const ip = parts.reverse().join('.');
    return parts.length === 4 && isIPv4(ip) ? ip : undefined;
  }
  const nibbles = name.slice(0, -'.ip6.arpa'.length).split('.');
  if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return undefined;
  const hex = nibbles.reverse().join('');
  const groups = Array.from({ length: 8 }, (_, i) => hex.slice(i * 4, i * 4 + 4).replace(/^0+(?=.)/, ''));
  const ip = groups.join(':');
  return isIPv6(ip) ? canonicalIPv6(ip) : undefined;
}

/** The compressed form (RFC 5952) a Service's IPv6 clusterIP is written in. */
function canonicalIPv6(ip: string): string {
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}
