// kube-proxy: the Service data plane of one node. Watches Services, EndpointSlices and pods and
// programs nftables so a Service's cluster IP (and node port, external IPs) load-balances to its
// Ready endpoints (proxier.ts, nft-ruleset.ts). Not leader-elected: every node runs its own.
import { runManager } from '@keelson/controller-runtime';
import { kubeProxyConfig } from './config';
import { prepareHostNetwork, type HostNetwork } from './host-network';
import { Nft } from './nft';
import { Proxier } from './proxier';
import { ENDPOINTSLICES, PODS, SERVICES, type EndpointSlice, type Pod, type Service } from './types';

void runManager('kube-proxy', kubeProxyConfig, async (mgr, cfg) => {
  const log = mgr.log.child({ node: cfg.nodeName });
  let nft: Nft | undefined;
  let host: HostNetwork | undefined;
  if (cfg.mode === 'nftables') {
    const candidate = new Nft(cfg.table);
    const problem = await candidate.probe();
    if (problem) {
      log.warn('nftables unavailable: Services get no data plane on this node (needs root or CAP_NET_ADMIN and the nftables package)', { problem });
    } else {
      nft = candidate;
      host = await prepareHostNetwork({ localhostNodePorts: cfg.localhostNodePorts });
      log.info('data plane: nftables', { table: cfg.table, brNetfilter: host.brNetfilter, routeLocalnet: host.routeLocalnet, notes: host.notes });
    }
  } else {
    log.info('data plane off (KEELSON_PROXY_MODE=none)');
  }
  const services = mgr.informer<Service>(SERVICES);
  const slices = mgr.informer<EndpointSlice>(ENDPOINTSLICES);
  const pods = mgr.informer<Pod>(PODS);
  const proxier = new Proxier({ services: services.cache, slices: slices.cache, pods: pods.cache }, nft, cfg, host, log, mgr.metrics.registry);
  const changed = { onAdd: () => proxier.requestSync(), onUpdate: () => proxier.requestSync(), onDelete: () => proxier.requestSync() };
  services.addEventHandler(changed);
  slices.addEventHandler(changed);
  pods.addEventHandler(changed);
  mgr.add(proxier);
}, {
  manager: (cfg) => ({ leaderElection: false, identity: `kube-proxy-${cfg.nodeName}` }),
});
