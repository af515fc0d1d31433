// Which API resource each quota resource name counts (kube's quota evaluators): pods for the
// pod count and compute resources, services for services.*, the legacy object counts, and
// `count/<resource>[.<group>]` for any built-in kind.
import { BUILTIN_RESOURCES, type ResourceCoordinates } from '@keelson/api';

const core = (resource: string): ResourceCoordinates => ({ group: '', version: 'v1', resource });

const NAMED: Record<string, ResourceCoordinates> = {
  pods: core('pods'), services: core('services'), secrets: core('secrets'), configmaps: core('configmaps'),
  persistentvolumeclaims: core('persistentvolumeclaims'), replicationcontrollers: core('replicationcontrollers'),
  resourcequotas: core('resourcequotas'), 'services.loadbalancers': core('services'), 'services.nodeports': core('services'),
  'requests.storage': core('persistentvolumeclaims'),
};

/** The resource a quota resource name is computed from; undefined for names Keelson does not track. */
export function resourceFor(name: string): ResourceCoordinates | undefined {
  if (NAMED[name]) return NAMED[name];
  if (/^(requests\.|limits\.)?(cpu|memory|ephemeral-storage)$/.test(name)) return core('pods');
  if (name.startsWith('count/')) {
    const [resource, ...group] = name.slice('count/'.length).split('.');
    const g = group.join('.');
    const info = BUILTIN_RESOURCES.find((r) => r.group === g && r.resource === resource);
    return info ? { group: info.group, version: info.version, resource: info.resource } : undefined;
  }
  return undefined;
}

/** The resources a quota's hard names need, each once. */
export function resourcesFor(names: string[]): ResourceCoordinates[] {
  const out = new Map<string, ResourceCoordinates>();
  for (const n of names) {
    const r = resourceFor(n);
    if (r) out.set(`${r.group}/${r.resource}`, r);
  }
  return [...out.values()];
}
