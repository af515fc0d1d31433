// services/scheduler: the default scheduler. Watches unscheduled pods and nodes, places the
// pods whose spec.schedulerName it serves (default-scheduler, or the profiles of the
// KubeSchedulerConfiguration named by KEELSON_SCHEDULER_CONFIG / --config) and binds them.
import { runScheduler } from './run';

void runScheduler('scheduler');
