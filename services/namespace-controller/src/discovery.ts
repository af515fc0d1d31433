// Which resources a namespace can hold: every namespaced resource the API serves that can be
// listed and deleted, found through discovery (like kube's namespace controller, so resources
// added later are cleaned up too). Results are reused for a while; discovery is not free.
import type { ResourceRef } from '@keelson/client';

/** The one call discovery needs (a KeelsonClient fits). */
export interface DiscoveryClient {
  raw<T>(method: string, path: string): Promise<T>;
}

interface APIVersions { versions: string[] }
interface APIGroupList { groups: { name: string; preferredVersion?: { version: string }; versions: { version: string }[] }[] }
interface APIResource { name: string; namespaced: boolean; verbs: string[] }
interface APIResourceList { resources: APIResource[] }

export class NamespacedResourceDiscovery {
  private cached?: { at: number; resources: ResourceRef[] };

  constructor(private readonly client: DiscoveryClient, private readonly ttlMs: number) {}

  /** Namespaced, listable, deletable resources (preferred version of each group). */
  async resources(): Promise<ResourceRef[]> {
    if (this.cached && Date.now() - this.cached.at < this.ttlMs) return this.cached.resources;
    const groupVersions: { group: string; version: string }[] = [];
    const core = await this.client.raw<APIVersions>('GET', '/api');
    for (const version of core.versions) groupVersions.push({ group: '', version });
    const groups = await this.client.raw<APIGroupList>('GET', '/apis');
    for (const g of groups.groups) {
      const version = g.preferredVersion?.version ?? g.versions[0]?.version;
      if (version) groupVersions.push({ group: g.name, version });
    }
    const lists = await Promise.all(groupVersions.map((gv) =>
      this.client.raw<APIResourceList>('GET', gv.group ? `/apis/${gv.group}/${gv.version}` : `/api/${gv.version}`).then((l) => ({ gv, l }))));
    const resources: ResourceRef[] = [];
    for (const { gv, l } of lists) {
      for (const r of l.resources) {
        if (r.name.includes('/') || !r.namespaced) continue; // subresources; cluster-scoped
        if (!r.verbs.includes('list') || !r.verbs.includes('delete')) continue;
        resources.push({ group: gv.group, version: gv.version, resource: r.name });
      }
    }
    this.cached = { at: Date.now(), resources };
    return resources;
  }
}
