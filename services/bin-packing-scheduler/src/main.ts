// services/bin-packing-scheduler: a second scheduler beside the default one. It is the
// scheduler of services/scheduler run under its own identity and leader Lease
// (kube-system/bin-packing-scheduler) with the profile shipped beside it (bin-packing.yaml):
// pods with `spec.schedulerName: bin-packing` are packed onto the fewest nodes (NodeResourcesFit
// MostAllocated); every other pod is left to the scheduler that serves its name. Its Events
// name `bin-packing` as the reporting component. KEELSON_SCHEDULER_CONFIG or --config replaces
// the shipped profile.
import { join } from 'node:path';
import { runScheduler } from '@keelson/scheduler';

void runScheduler('bin-packing-scheduler', { defaultConfigFile: join(__dirname, '..', 'bin-packing.yaml') });
