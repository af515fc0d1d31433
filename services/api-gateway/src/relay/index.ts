// Wires the relay into the gateway: its own etcd client, the lease election, and the relay
// that runs while this replica leads. Readiness never depends on it; its state is logged.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Etcd3 } from 'etcd3';
import type { BusConfig, EventsStreamLimits } from '@keelson/bus';
import { etcdClientOptions, type EtcdConnection } from '@keelson/storage';
import { tracer, type Logger } from '@keelson/telemetry';
import { LeaseElection } from './election';
import { EventRelay, type RelayStatus } from './relay';
import type { PublishObserver } from '../metrics';

export const RELAY_LEADER_KEY = '/keelson/leader/relay';

export interface RelayConfig {
  etcd: EtcdConnection;
  bus: BusConfig;
  limits: EventsStreamLimits;
  leaseTtlSeconds: number;
  maxInFlight: number;
  /**
   * KEELSON_ENCRYPTION_CONFIG: the relay decodes what is encrypted at rest (a Secret's change goes
   * out as a reference, with its name and uid). The gateway's thread installs it for the process;
   * a relay thread has its own module state and installs it itself (worker.ts).
   */
  encryptionConfigFile?: string;
}

export interface RelayHandle {
  status(): RelayStatus;
  /**
   * The newest revision etcd may be compacted to without hurting the relay: the last revision
   * the stream confirmed while this replica leads; null when another replica (or nobody) leads,
   * which then owns compaction.
   */
  compactionFloor(): number | null;
  stop(): Promise<void>;
}

/** `onPublished` is told each publish's acknowledgement latency (keelson_relay_publish_duration_seconds). */
export function startRelay(config: RelayConfig, log: Logger, onPublished?: PublishObserver): RelayHandle {
  const rlog = log.child({ component: 'relay' });
  const client = new Etcd3(etcdClientOptions(config.etcd));
  const identity = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  const relay = new EventRelay({
    client,
    bus: config.bus,
    limits: config.limits,
    maxInFlight: config.maxInFlight,
    maxQueued: 200_000,
    publishTimeoutMs: 5000,
    tracer: tracer('api-gateway-relay'),
    log: rlog,
    onPublished,
  });
  const election = new LeaseElection(client, { key: RELAY_LEADER_KEY, ttlSeconds: config.leaseTtlSeconds, identity, log: rlog });
  election.start((signal) => relay.lead(signal));
  rlog.info('relay campaigning', { identity, leaseTtlSeconds: config.leaseTtlSeconds, nats: config.bus.servers });

  let lastLogged = 0;
  const progress = setInterval(() => {
    const s = relay.status();
    if (s.published !== lastLogged) rlog.info('relay progress', { ...s, perSecond: Math.round((s.published - lastLogged) / 10) });
    lastLogged = s.published;
  }, 10_000);
  progress.unref();

  return {
    status: () => relay.status(),
    compactionFloor: () => {
      const s = relay.status();
      return election.isLeader() && s.ackedRevision !== undefined ? s.ackedRevision : null;
    },
    async stop() {
      clearInterval(progress);
      await election.stop();
      client.close();
    },
  };
}
