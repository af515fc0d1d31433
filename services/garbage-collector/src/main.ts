// garbage-collector: deletes dependents whose owners are gone, runs foreground and orphan
// deletion. Leader-elected through the Manager; see garbage-collector.ts.
import { Manager } from '@keelson/controller-runtime';
import { gcConfigFromEnv } from './config';
import { setupGarbageCollector } from './garbage-collector';

async function main(): Promise<void> {
  const mgr = await Manager.create('garbage-collector');
  const gc = setupGarbageCollector(mgr, gcConfigFromEnv());
  // The first monitors come from discovery, so they sync before the workers start.
  await gc.startDiscovery();
  await mgr.run();
}

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'error', service: 'garbage-collector', msg: 'failed to start', err: String(err) })}\n`);
  process.exit(1);
});
