// The shared resource coordinates name resources the gateway really serves.
import { BUILTIN_RESOURCES, DEPLOYMENTS, EVENTS, LEASES, NAMESPACES, NODES, PODS, REPLICASETS } from '@keelson/api';

test.each(Object.entries({ PODS, NODES, NAMESPACES, EVENTS, DEPLOYMENTS, REPLICASETS, LEASES }))('%s is a built-in resource', (_name, ref) => {
  const served = BUILTIN_RESOURCES.find((r) => r.group === ref.group && r.resource === ref.resource);
  expect(served).toBeDefined();
  expect(served!.version).toBe(ref.version);
});
