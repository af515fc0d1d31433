// kube-proxy's own settings, read from the environment here only (the Manager reads the
// shared ones: API, NATS, health port).
import { createHash } from 'node:crypto';
import type { ConfigReader } from '@keelson/controller-runtime';

export type ProxyMode = 'nftables' | 'none';

export interface KubeProxyConfig {
  /** NODE_NAME: the node this proxy serves (one kube-proxy per node, as kube runs it). */
  nodeName: string;
  /**
   * KEELSON_PROXY_MODE [nftables]: `nftables` programs the kernel (root or CAP_NET_ADMIN and
   * the nft binary needed; without them the proxy reports why and stays idle); `none` watches
   * and computes endpoints only (hosts where another data plane runs).
   */
  mode: ProxyMode;
  /**
   * KEELSON_PROXY_TABLE [keelson-proxy-<node>-<6 hex of the API URL>]: the nftables table (family ip)
   * this proxy owns. The API's hash keeps two clusters on one machine (npm start and a test's,
   * both with a node-1) from flushing each other's tables.
   */
  table: string;
  /** KEELSON_PROXY_MIN_SYNC_MS [100]: changes are batched this long before one sync (--min-sync-period... kube's 1 s). */
  minSyncMs: number;
  /** KEELSON_PROXY_SYNC_PERIOD_MS [30000]: a full resync this often even without changes (--sync-period). */
  syncPeriodMs: number;
  /** KEELSON_PROXY_LOCALHOST_NODEPORTS [true]: node ports answer on 127.0.0.1 too (sets route_localnet, as kube's iptables mode). */
  localhostNodePorts: boolean;
  /** KEELSON_PROXY_MASQUERADE_ALL [false]: masquerade every proxied connection (--masquerade-all); forced on without br_netfilter. */
  masqueradeAll: boolean;
  /** KEELSON_PROXY_CLEANUP_ON_STOP [true]: a graceful stop deletes the table (a crash leaves it; the next start takes it over). */
  cleanupOnStop: boolean;
  /** KEELSON_PROXY_HAIRPIN_BRIDGE_PREFIX [kb]: ports of bridges named so get hairpin_mode (pods reaching themselves through a VIP); empty = leave bridges alone. */
  hairpinBridgePrefix: string;
}

export const kubeProxyConfig: ConfigReader<KubeProxyConfig> = (env) => {
  const nodeName = env.string('NODE_NAME', 'node-1');
  const mode = env.string('KEELSON_PROXY_MODE', 'nftables');
  if (mode !== 'nftables' && mode !== 'none') env.problem('KEELSON_PROXY_MODE', 'nftables or none', mode);
  const cluster = createHash('sha256').update(env.string('KEELSON_API_URL', 'https://127.0.0.1:6443')).digest('hex').slice(0, 6);
  const table = env.string('KEELSON_PROXY_TABLE', `keelson-proxy-${nodeName}-${cluster}`);
  if (!/^[A-Za-z][A-Za-z0-9_.-]{0,62}$/.test(table)) env.problem('KEELSON_PROXY_TABLE', 'an nftables table name (letters, digits, _ . -)', table);
  return {
    nodeName,
    mode: mode === 'none' ? 'none' : 'nftables',
    table,
    minSyncMs: env.integer('KEELSON_PROXY_MIN_SYNC_MS', 100, { min: 0 }),
    syncPeriodMs: env.integer('KEELSON_PROXY_SYNC_PERIOD_MS', 30_000, { min: 1000 }),
    localhostNodePorts: env.boolean('KEELSON_PROXY_LOCALHOST_NODEPORTS', true),
    masqueradeAll: env.boolean('KEELSON_PROXY_MASQUERADE_ALL', false),
    cleanupOnStop: env.boolean('KEELSON_PROXY_CLEANUP_ON_STOP', true),
    hairpinBridgePrefix: env.string('KEELSON_PROXY_HAIRPIN_BRIDGE_PREFIX', 'kb'),
  };
};
