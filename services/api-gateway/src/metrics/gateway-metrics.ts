// The gateway's Prometheus metrics, under kube-apiserver's names where it has the metric
// (apiserver_request_total, apiserver_request_duration_seconds, apiserver_longrunning_requests,
// apiserver_registered_watchers, etcd_request_duration_seconds) and keelson_relay_* for the
// event relay, which kube-apiserver does not have. One registry per gateway (no global state:
// tests run several gateways in one process); served at /metrics (server.ts), authorized as a
// non-resource URL like kube's (cluster-admin, or the system:monitoring group).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EtcdRequestObserver, GroupCommitStats, WatchCache } from '@keelson/storage';

// kube-apiserver's request latency buckets (seconds).
const REQUEST_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];
// k8s.io/apiserver's etcd latency buckets (seconds).
const ETCD_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];
const PUBLISH_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** kube-apiserver's request labels (k8s.io/apiserver/pkg/endpoints/metrics). */
export type RequestLabel = 'verb' | 'dry_run' | 'group' | 'version' | 'resource' | 'subresource' | 'scope' | 'component';

/** What the relay reports to the metrics: one publish acknowledged (or refused) after `seconds`. */
export type PublishObserver = (subject: string, seconds: number, ok: boolean) => void;

/** Read at scrape time: the relay's progress and etcd's current revision. */
export interface GatewayMetricSources {
  caches: Map<string, WatchCache>;
  /** etcd's current revision. */
  currentRevision(): Promise<number>;
  /** The last revision the events stream confirmed, while this replica relays; undefined otherwise. */
  relayedRevision(): number | undefined;
  /** The store's group commit counters (undefined: writes go alone, KEELSON_ETCD_GROUP_COMMIT=false). */
  groupCommit?(): GroupCommitStats | undefined;
  /** Flow control's seats taken and requests queued, per priority level. */
  flowControl?(): { level: string; executing: number; waiting: number }[];
}

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<RequestLabel | 'code'>;
  readonly requestDuration: Histogram<RequestLabel>;
  readonly longRunning: Gauge<Exclude<RequestLabel, 'dry_run'>>;
  readonly etcdDuration: Histogram<'operation' | 'type'>;
  readonly etcdErrors: Counter<'operation' | 'type'>;
  readonly publishDuration: Histogram<'result'>;
  private sources?: GatewayMetricSources;
  /** Label children of apiserver_request_* per label set (recordRequest). */
  private readonly requestSeries = new Map<string, { duration: { observe(v: number): void }; byCode: Map<number, { inc(): void }> }>();

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'apiserver_request_total', registers,
      help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
      labelNames: ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component', 'code'],
    });
    this.requestDuration = new Histogram({
      name: 'apiserver_request_duration_seconds', registers, buckets: REQUEST_BUCKETS,
      help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
      labelNames: ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'],
    });
    this.longRunning = new Gauge({
      name: 'apiserver_longrunning_requests', registers,
      help: 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component.',
      labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'],
    });
    const self = this;
    new Gauge({
      name: 'apiserver_registered_watchers', registers, labelNames: ['group', 'resource'],
      help: 'Number of currently registered watchers for a given resource',
      collect() {
        this.reset();
        for (const [key, cache] of self.sources?.caches ?? []) {
          const [group, resource] = key.split('/');
          this.set({ group, resource }, cache.watcherCount);
        }
      },
    });
    new Gauge({
      name: 'apiserver_storage_objects', registers, labelNames: ['resource'],
      help: 'Number of stored objects at the time of last check split by kind.',
      collect() {
        this.reset();
        for (const [key, cache] of self.sources?.caches ?? []) {
          const [group, resource] = key.split('/');
          this.set({ resource: group ? `${resource}.${group}` : resource }, cache.objectCount);
        }
      },
    });
    this.etcdDuration = new Histogram({
      name: 'etcd_request_duration_seconds', registers, buckets: ETCD_BUCKETS, labelNames: ['operation', 'type'],
      help: 'Etcd request latency in seconds for each operation and object type.',
    });
    this.etcdErrors = new Counter({
      name: 'etcd_request_errors_total', registers, labelNames: ['operation', 'type'],
      help: 'Etcd failed request counts for each operation and object type.',
    });
    new Gauge({
      name: 'keelson_relay_lag_revisions', registers,
      help: "etcd's current revision minus the last revision the events stream confirmed (only on the relaying replica; 0-1 at rest: a write outside /registry/ is never published)",
      async collect() {
        this.reset();
        const relayed = self.sources?.relayedRevision();
        if (relayed === undefined || !self.sources) return;
        const current = await self.sources.currentRevision().catch(() => undefined);
        if (current !== undefined) this.set(Math.max(0, current - relayed));
      },
    });
    new Gauge({
      name: 'keelson_relay_published_revision', registers,
      help: 'The last etcd revision the events stream confirmed (only on the relaying replica)',
      collect() {
        this.reset();
        const relayed = self.sources?.relayedRevision();
        if (relayed !== undefined) this.set(relayed);
      },
    });
    this.publishDuration = new Histogram({
      name: 'keelson_relay_publish_duration_seconds', registers, buckets: PUBLISH_BUCKETS, labelNames: ['result'],
      help: 'Time from a JetStream publish to its acknowledgement, by result (success, error)',
    });
    // Group commit (libs/storage group-commit.ts), read from the store's counters at scrape time.
    const groupCommitCounter = (name: string, help: string, pick: (s: GroupCommitStats) => number): void => {
      new Counter({
        name, help, registers,
        collect() {
          this.reset();
          const stats = self.sources?.groupCommit?.();
          if (stats) this.inc(pick(stats));
        },
      });
    };
    groupCommitCounter('keelson_etcd_write_txns_total', 'etcd transactions the store sent for writes: groups, writes sent alone, and the members of failed groups resent alone', (s) => s.txns);
    groupCommitCounter('keelson_etcd_group_commit_groups_total', 'etcd transactions that carried two or more writes (group commit)', (s) => s.groups);
    groupCommitCounter('keelson_etcd_group_commit_writes_total', 'writes that went out in a group of two or more', (s) => s.groupedWrites);
    groupCommitCounter('keelson_etcd_group_commit_fallbacks_total', 'groups that failed a compare, whose writes were then sent alone for their own answers', (s) => s.fallbacks);
    const flowGauge = (name: string, help: string, pick: (s: { executing: number; waiting: number }) => number): void => {
      new Gauge({
        name, help, registers, labelNames: ['priority_level'],
        collect() {
          this.reset();
          for (const st of self.sources?.flowControl?.() ?? []) this.set({ priority_level: st.level }, pick(st));
        },
      });
    };
    flowGauge('apiserver_flowcontrol_current_executing_seats', 'Seats of each priority level taken by requests executing now', (st) => st.executing);
    flowGauge('apiserver_flowcontrol_current_inqueue_requests', 'Requests of each priority level waiting in its queues for a seat', (st) => st.waiting);
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** What the scrape-time gauges read (set once the gateway has built them). */
  attach(sources: GatewayMetricSources): void {
    this.sources = sources;
  }

  /** For EtcdStore: etcd_request_duration_seconds{operation,type}, type being the key's group-resource. */
  readonly etcd: EtcdRequestObserver = (operation, key, seconds, ok) => {
    const labels = { operation, type: etcdTypeOf(key) };
    this.etcdDuration.observe(labels, seconds);
    if (!ok) this.etcdErrors.inc(labels);
  };

  /**
   * One finished request: apiserver_request_total and apiserver_request_duration_seconds. The
   * label children are kept per label set (the set is bounded, see request-metrics.ts): resolving
   * nine labels through prom-client on every request costs about three times as much.
   */
  recordRequest(labels: Record<RequestLabel, string>, code: number, seconds: number): void {
    const key = `${labels.verb}|${labels.dry_run}|${labels.group}|${labels.version}|${labels.resource}|${labels.subresource}|${labels.scope}`;
    let series = this.requestSeries.get(key);
    if (!series) this.requestSeries.set(key, (series = { duration: this.requestDuration.labels(labels), byCode: new Map() }));
    let counter = series.byCode.get(code);
    if (!counter) series.byCode.set(code, (counter = this.requests.labels({ ...labels, code: String(code) })));
    counter.inc();
    series.duration.observe(seconds);
  }

  /** For the relay's publisher: keelson_relay_publish_duration_seconds{result}. */
  readonly publish: PublishObserver = (_subject, seconds, ok) => {
    this.publishDuration.observe({ result: ok ? 'success' : 'error' }, seconds);
  };

  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/**
 * kube's `type` label: the group-resource of the key (`pods`, `deployments.apps`); `` for keys
 * outside /registry/<group>/<resource>/ (the revision probe, compaction).
 */
export function etcdTypeOf(key: string): string {
  const parts = key.split('/');
  if (parts[1] !== 'registry' || !parts[2] || !parts[3]) return '';
  return parts[2] === 'core' ? parts[3] : `${parts[3]}.${parts[2]}`;
}
