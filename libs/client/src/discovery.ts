// What the API serves right now, through discovery: aggregated (apidiscovery.k8s.io/v2, two
// requests, as kubectl 1.32 asks first) with a fall-back to the legacy documents (/api, /apis,
// then one request per group version) for a server that answers with plain JSON.
// Controllers that follow resources added at run time (CRDs) call this periodically.
import type { RequestOptions } from './transport';

/** The one call discovery needs (a KeelsonClient fits). */
export interface DiscoveryTransport {
  raw<T>(method: string, path: string, opts?: RequestOptions): Promise<T>;
}

/** One served resource (no subresources) at one group version. */
export interface DiscoveredResource {
  group: string; // '' for core
  version: string;
  /** plural lower-case name: `pods` */
  resource: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  /** This group version is its group's preferred one (the first listed). */
  preferred: boolean;
}

export const AGGREGATED_DISCOVERY_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

interface AggregatedList {
  kind?: string;
  items?: {
    metadata?: { name?: string };
    versions?: { version: string; resources?: { resource: string; responseKind?: { kind?: string }; scope?: string; verbs?: string[] }[] }[];
  }[];
}
interface APIVersions { versions?: string[] }
interface APIGroupList { groups?: { name: string; preferredVersion?: { version: string }; versions: { version: string }[] }[] }
interface APIResourceList { resources?: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[] }

/**
 * Every resource of every served group version, the preferred version of each group first
 * (group versions keep the server's order: most preferred first, as discovery lists them).
 */
export async function discoverResources(client: DiscoveryTransport, opts: Pick<RequestOptions, 'timeoutMs' | 'signal'> = {}): Promise<DiscoveredResource[]> {
  const call = { ...opts, accept: `${AGGREGATED_DISCOVERY_V2},application/json` };
  const [core, groups] = await Promise.all([
    client.raw<AggregatedList & APIVersions>('GET', '/api', call),
    client.raw<AggregatedList & APIGroupList>('GET', '/apis', call),
  ]);
  if (core.kind === 'APIGroupDiscoveryList' && groups.kind === 'APIGroupDiscoveryList') {
    return [...fromAggregated(core, true), ...fromAggregated(groups, false)];
  }
  return legacy(client, core, groups, opts);
}

function fromAggregated(list: AggregatedList, core: boolean): DiscoveredResource[] {
  const out: DiscoveredResource[] = [];
  for (const item of list.items ?? []) {
    const group = core ? '' : item.metadata?.name ?? '';
    (item.versions ?? []).forEach((v, i) => {
      for (const r of v.resources ?? []) {
        out.push({
          group, version: v.version, resource: r.resource, kind: r.responseKind?.kind ?? '',
          namespaced: r.scope === 'Namespaced', verbs: r.verbs ?? [], preferred: i === 0,
        });
      }
    });
  }
  return out;
}

async function legacy(client: DiscoveryTransport, core: APIVersions, groups: APIGroupList, opts: Pick<RequestOptions, 'timeoutMs' | 'signal'>): Promise<DiscoveredResource[]> {
  const gvs: { group: string; version: string; preferred: boolean }[] = (core.versions ?? []).map((version, i) => ({ group: '', version, preferred: i === 0 }));
  for (const g of groups.groups ?? []) {
    const preferred = g.preferredVersion?.version ?? g.versions[0]?.version;
    for (const v of g.versions) gvs.push({ group: g.name, version: v.version, preferred: v.version === preferred });
  }
  const lists = await Promise.all(gvs.map(async (gv) => ({
    gv, list: await client.raw<APIResourceList>('GET', gv.group ? `/apis/${gv.group}/${gv.version}` : `/api/${gv.version}`, opts),
  })));
  const out: DiscoveredResource[] = [];
  for (const { gv, list } of lists) {
    for (const r of list.resources ?? []) {
      if (r.name.includes('/')) continue; // a subresource
      out.push({ group: gv.group, version: gv.version, resource: r.name, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs ?? [], preferred: gv.preferred });
    }
  }
  return out;
}
