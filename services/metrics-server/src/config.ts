// The metrics-server's own settings, read from the environment here only (the Manager reads
// the shared ones: API, NATS, health port).
import type { ConfigReader } from '@keelson/controller-runtime';

export interface MetricsServerConfig {
  /** KEELSON_METRICS_RESOLUTION_SECONDS [15]: how often every node's Summary is scraped (metrics-server's --metric-resolution). */
  resolutionMs: number;
  /** KEELSON_METRICS_ADDRESS [127.0.0.1], KEELSON_METRICS_PORT [0 = any free port]: where metrics.k8s.io is served. */
  address: string;
  port: number;
  /** KEELSON_METRICS_ADVERTISE_ADDRESS [the address]: the IP the gateway reaches this server on (its Endpoints). */
  advertiseAddress?: string;
  /** KEELSON_KUBELET_AUTH_TOKEN: bearer token for kubelets, and the token the gateway proxies with (checked here). */
  kubeletToken?: string;
  /** KEELSON_METRICS_NAMESPACE [kube-system]: where its Endpoints (the APIService's service) are kept. */
  namespace: string;
}

export const metricsServerConfig: ConfigReader<MetricsServerConfig> = (env) => ({
  resolutionMs: env.number('KEELSON_METRICS_RESOLUTION_SECONDS', 15, { min: 0.1 }) * 1000,
  address: env.string('KEELSON_METRICS_ADDRESS', '127.0.0.1'),
  port: env.integer('KEELSON_METRICS_PORT', 0, { max: 65535 }),
  advertiseAddress: env.optional('KEELSON_METRICS_ADVERTISE_ADDRESS'),
  kubeletToken: env.optional('KEELSON_KUBELET_AUTH_TOKEN'),
  namespace: env.string('KEELSON_METRICS_NAMESPACE', 'kube-system'),
});
