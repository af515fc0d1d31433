// garbage-collector: deletes dependents whose owners are gone, runs foreground and orphan
// deletion. Leader-elected through the Manager; see garbage-collector.ts.
import { runManager } from '@keelson/controller-runtime';
import { garbageCollectorConfig } from './config';
import { setupGarbageCollector } from './garbage-collector';

void runManager('garbage-collector', garbageCollectorConfig, async (mgr, config) => {
  const gc = setupGarbageCollector(mgr, config);
  // The first monitors come from discovery, so they sync before the workers start.
  await gc.startDiscovery();
  mgr.add({ stop: gc.stopDiscovery });
});
