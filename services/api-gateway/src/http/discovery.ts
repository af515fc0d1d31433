// Discovery documents: legacy (/api, /apis, /api/v1, /apis/<g>/<v>) and the
// aggregated apidiscovery.k8s.io/v2 form that kubectl 1.32 asks for first.
import type { IncomingMessage } from 'node:http';
import { groupVersion, type ResourceInfo, type ResourceRegistry } from '@keelson/api';
import { discoverableResources } from './review-resources';

export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const AGGREGATED_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/** The aggregated media type the client prefers, if any, honouring Accept order. */
export function wantsAggregated(req: IncomingMessage): string | undefined {
  for (const part of String(req.headers.accept ?? '').split(',')) {
    const params = part.split(';').map((p) => p.trim());
    if (!params.includes('as=APIGroupDiscoveryList') || !params.includes('g=apidiscovery.k8s.io')) {
      if (params[0] === 'application/json' || params[0] === '*/*') return undefined;
      continue;
    }
    if (params.includes('v=v2')) return AGGREGATED_V2;
    if (params.includes('v=v2beta1')) return AGGREGATED_V2BETA1;
  }
  return undefined;
}

export function versionInfo(gitCommit = 'unknown'): Record<string, string> {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.0-keelson',
    gitCommit,
    gitTreeState: 'clean',
    buildDate: '2026-11-25T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

export function apiVersions(serverAddress: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupsOf(registry: ResourceRegistry): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const gv of discoverableResources(registry)) {
    if (!gv.group) continue;
    const versions = groups.get(gv.group) ?? [];
    if (!versions.includes(gv.version)) versions.push(gv.version);
    groups.set(gv.group, versions);
  }
  return groups;
}

function apiGroup(name: string, versions: string[]): object {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(registry: ResourceRegistry): object {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...groupsOf(registry)].map(([n, v]) => apiGroup(n, v)) };
}

export function apiGroupDoc(registry: ResourceRegistry, group: string): object | undefined {
  const versions = groupsOf(registry).get(group);
  return versions ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, versions) } : undefined;
}

export function apiResourceList(registry: ResourceRegistry, group: string, version: string): object | undefined {
  const resources = discoverableResources(registry).filter((r) => r.group === group && r.version === version);
  if (resources.length === 0) return undefined;
  const entries: object[] = [];
  for (const r of resources) {
    const entry: Record<string, unknown> = { name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
    if (r.shortNames.length) entry.shortNames = r.shortNames;
    if (r.categories.length) entry.categories = r.categories;
    entries.push(entry);
    for (const s of r.subresources) {
      const sub: Record<string, unknown> = { name: `${r.resource}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group !== r.group || s.version !== r.version) Object.assign(sub, { group: s.group, version: s.version });
      entries.push(sub);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version }), resources: entries };
}

function discoveryResource(r: ResourceInfo): object {
  const out: Record<string, unknown> = {
    resource: r.resource,
    responseKind: { group: '', version: '', kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
  };
  if (r.shortNames.length) out.shortNames = r.shortNames;
  if (r.categories.length) out.categories = r.categories;
  if (r.subresources.length) {
    out.subresources = r.subresources.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group === r.group ? '' : s.group, version: s.group === r.group ? '' : s.version, kind: s.kind },
      verbs: s.verbs,
    }));
  }
  return out;
}

/** `legacy` = the core group served under /api; otherwise every named group under /apis. */
export function aggregatedDiscovery(registry: ResourceRegistry, legacy: boolean, mediaType: string): object {
  const items: object[] = [];
  const groups = legacy ? new Map([['', ['v1']]]) : groupsOf(registry);
  for (const [group, versions] of groups) {
    items.push({
      metadata: group ? { name: group, creationTimestamp: null } : { creationTimestamp: null },
      versions: versions.map((version) => ({
        version,
        resources: discoverableResources(registry).filter((r) => r.group === group && r.version === version).map(discoveryResource),
        freshness: 'Current',
      })),
    });
  }
  const v = mediaType.includes('v=v2beta1') ? 'v2beta1' : 'v2';
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${v}`, metadata: {}, items };
}
