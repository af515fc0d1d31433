// The relay on a thread of its own (KEELSON_RELAY_THREAD, default true): a worker with its own
// V8 heap, event loop and etcd and NATS connections runs startRelay (index.ts). The reason is
// latency (issue 14): in the gateway's thread every relayed event waited behind whatever that
// thread was doing — request handling, the watch caches, and young-generation collections of
// a heap sized for the API (6–16 ms each) — and those waits were the relay path's p99. The
// worker's heap holds only the relay's short-lived garbage, so its own collections are short,
// and they never stop the API's thread (nor the API's the relay's).
//
// The gateway's thread keeps what it read before: status() and compactionFloor() answer from
// the worker's last report (sent every REPORT_MS when it changed); a floor older by REPORT_MS is
// only lower, and every revision up to it is in the stream, so compaction stays safe. Publish
// latencies reach the metrics in batches. A worker that dies is started again after a back-off.
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { Logger } from '@keelson/telemetry';
import type { PublishObserver } from '../metrics';
import type { RelayConfig, RelayHandle } from './index';
import type { RelayStatus } from './relay';

/** How often the worker reports status and publish latencies (when there is something new). */
export const REPORT_MS = 100;

/** Worker → gateway thread. */
export type FromWorker =
  | { type: 'status'; status: RelayStatus; floor: number | null }
  | { type: 'published'; batch: [subject: string, seconds: number, ok: boolean][] }
  | { type: 'stopped' };
/** Gateway thread → worker. */
export type ToWorker = { type: 'stop' };

export interface RelayWorkerData {
  config: RelayConfig;
  serviceName: string;
}

const RESTART_MS = [250, 1000, 5000];
const STOP_TIMEOUT_MS = 5000;

export interface RelayThreadOptions {
  /** Telemetry and log name in the worker (default api-gateway). */
  serviceName?: string;
  /** The worker's compiled entry (default worker.js beside this file; tests running TS sources name dist's). */
  workerFile?: string;
  /** Told each worker started (tests end one to see it come back). */
  onWorker?: (worker: Worker) => void;
}

export function startRelayThread(config: RelayConfig, log: Logger, onPublished?: PublishObserver, opts: RelayThreadOptions = {}): RelayHandle {
  const serviceName = opts.serviceName ?? 'api-gateway';
  const workerFile = opts.workerFile ?? join(__dirname, 'worker.js');
  const rlog = log.child({ component: 'relay' });
  let status: RelayStatus = { leading: false, published: 0, sessions: 0, resyncs: 0, references: 0 };
  let floor: number | null = null;
  let worker: Worker | undefined;
  let stopping = false;
  let failures = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let stopped: (() => void) | undefined;

  const spawn = (): void => {
    const data: RelayWorkerData = { config, serviceName };
    const w = new Worker(workerFile, { workerData: data });
    worker = w;
    opts.onWorker?.(w);
    w.on('message', (m: FromWorker) => {
      if (m.type === 'status') {
        status = m.status;
        floor = m.floor;
        if (m.status.published > 0) failures = 0;
      } else if (m.type === 'published') {
        if (onPublished) for (const [subject, seconds, ok] of m.batch) onPublished(subject, seconds, ok);
      } else if (m.type === 'stopped') {
        stopped?.();
      }
    });
    w.on('error', (err) => rlog.error('relay thread failed', { err }));
    w.on('exit', (code) => {
      if (worker === w) worker = undefined;
      status = { ...status, leading: false, ackedRevision: undefined };
      floor = null;
      stopped?.();
      if (stopping) return;
      const delay = RESTART_MS[Math.min(failures++, RESTART_MS.length - 1)];
      rlog.error('relay thread exited; starting it again', { code, retryInMs: delay });
      restartTimer = setTimeout(spawn, delay);
    });
  };
  spawn();

  return {
    status: () => status,
    compactionFloor: () => floor,
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      const w = worker;
      if (!w) return;
      // The worker revokes its lease (a standby takes over at once) and flushes its spans.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, STOP_TIMEOUT_MS);
        stopped = () => {
          clearTimeout(timer);
          resolve();
        };
        w.postMessage({ type: 'stop' } satisfies ToWorker);
      });
      await w.terminate();
    },
  };
}
