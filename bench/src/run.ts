// Benchmark entry point: `npm run bench -- NAME`.
import { runApiBench } from './api';
import { runPodsBench } from './pods';
import { runSchedulerBench } from './scheduler';
import { runEventsBench } from './events';
import { runDeployBench } from './deploy';
import { runCrdBench } from './crd';
import { runServicesBench } from './services';
import { runDaemonSetBench } from './daemonset';
import { runJobsBench } from './jobs';
import { runAutoscalerBench } from './autoscaler';
import { runScaleBench } from './scale';

const BENCHMARKS: Record<string, () => Promise<void>> = { api: runApiBench, pods: runPodsBench, events: runEventsBench, scheduler: runSchedulerBench, deploy: runDeployBench, crd: runCrdBench, daemonset: runDaemonSetBench, jobs: runJobsBench, services: runServicesBench, autoscaler: runAutoscalerBench, scale: runScaleBench };

const name = process.argv[2];
const bench = name ? BENCHMARKS[name] : undefined;
if (!bench) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(BENCHMARKS).join('|')}>\n`);
  process.exit(2);
}
bench().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`benchmark ${name} failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
