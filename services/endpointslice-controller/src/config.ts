// The endpointslice-controller's own settings, read from the environment here only
// (the Manager reads the shared ones: API, NATS, health port, leader election).
import type { ConfigReader } from '@keelson/controller-runtime';

export interface EndpointSliceControllerConfig {
  /** KEELSON_EPS_WORKERS [5]: Services synced in parallel (--concurrent-service-endpoint-syncs). */
  workers: number;
  /** KEELSON_EPS_MAX_ENDPOINTS_PER_SLICE [100]: --max-endpoints-per-slice. */
  maxEndpointsPerSlice: number;
}

export const endpointSliceControllerConfig: ConfigReader<EndpointSliceControllerConfig> = (env) => ({
  workers: env.integer('KEELSON_EPS_WORKERS', 5, { min: 1 }),
  maxEndpointsPerSlice: env.integer('KEELSON_EPS_MAX_ENDPOINTS_PER_SLICE', 100, { min: 1, max: 1000 }),
});
