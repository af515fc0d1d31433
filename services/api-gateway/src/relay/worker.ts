// Entry of the relay's thread (thread.ts): telemetry and a logger of its own (same service
// name, so its spans and lines are the gateway's), then startRelay as the gateway's thread ran
// it, reporting status and publish latencies back.
import { parentPort, workerData } from 'node:worker_threads';
import { installEncryption, loadEncryptionConfig } from '@keelson/storage';
import { createLogger, startTelemetry } from '@keelson/telemetry';
import { skipEtcdCallerStacks } from '../etcd-call-stacks';
import { startRelay } from './index';
import { REPORT_MS, type FromWorker, type RelayWorkerData, type ToWorker } from './thread';

const port = parentPort!;
const { config, serviceName } = workerData as RelayWorkerData;
const telemetry = startTelemetry(serviceName);
skipEtcdCallerStacks();
// This thread's copy of storage's codec has no keys until told: without them every encrypted
// value (each Secret) would be undecodable here, and skipped.
if (config.encryptionConfigFile) installEncryption(loadEncryptionConfig(config.encryptionConfigFile));
const post = (m: FromWorker): void => port.postMessage(m);

let batch: [string, number, boolean][] = [];
const relay = startRelay(config, createLogger(serviceName), (subject, seconds, ok) => void batch.push([subject, seconds, ok]));

let last = '';
const report = (): void => {
  if (batch.length) {
    post({ type: 'published', batch });
    batch = [];
  }
  const status = relay.status();
  const floor = relay.compactionFloor();
  const key = JSON.stringify([status, floor]);
  if (key !== last) post({ type: 'status', status, floor });
  last = key;
};
const timer = setInterval(report, REPORT_MS);

port.on('message', (m: ToWorker) => {
  if (m.type !== 'stop') return;
  clearInterval(timer);
  void (async () => {
    await relay.stop();
    report();
    await telemetry.shutdown();
    post({ type: 'stopped' });
  })();
});
