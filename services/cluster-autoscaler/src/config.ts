// The cluster autoscaler's own settings (upstream cluster-autoscaler's flags), read from the
// environment here only; runOperator reads the service's shared ones.
import type { ConfigReader } from '@keelson/operator-sdk';

export interface AutoscalerConfig {
  /** KEELSON_AUTOSCALER_SCAN_INTERVAL_MS [10000]: how often the cluster is re-evaluated (--scan-interval). */
  scanIntervalMs: number;
  /** KEELSON_AUTOSCALER_SCALE_DOWN_UNNEEDED_TIME_MS [600000]: how long a node must stay empty before it is removed (--scale-down-unneeded-time). */
  scaleDownUnneededMs: number;
  /** KEELSON_AUTOSCALER_SCALE_DOWN_DELAY_AFTER_ADD_MS [600000]: no scale-down of a pool this soon after it scaled up (--scale-down-delay-after-add). */
  scaleDownDelayAfterAddMs: number;
  /** KEELSON_AUTOSCALER_MAX_NODE_PROVISION_TIME_MS [900000]: a provisioned node that never registered is given up and deleted (--max-node-provision-time). */
  maxNodeProvisionMs: number;
  /** KEELSON_AUTOSCALER_MAX_EMPTY_BULK_DELETE [10]: empty nodes removed per loop (--max-empty-bulk-delete). */
  maxEmptyBulkDelete: number;
}

export const autoscalerConfig: ConfigReader<AutoscalerConfig> = (env) => ({
  scanIntervalMs: env.integer('KEELSON_AUTOSCALER_SCAN_INTERVAL_MS', 10_000, { min: 50 }),
  scaleDownUnneededMs: env.integer('KEELSON_AUTOSCALER_SCALE_DOWN_UNNEEDED_TIME_MS', 600_000, { min: 0 }),
  scaleDownDelayAfterAddMs: env.integer('KEELSON_AUTOSCALER_SCALE_DOWN_DELAY_AFTER_ADD_MS', 600_000, { min: 0 }),
  maxNodeProvisionMs: env.integer('KEELSON_AUTOSCALER_MAX_NODE_PROVISION_TIME_MS', 900_000, { min: 1000 }),
  maxEmptyBulkDelete: env.integer('KEELSON_AUTOSCALER_MAX_EMPTY_BULK_DELETE', 10, { min: 1 }),
});
