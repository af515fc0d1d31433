// metrics-server: scrapes every node's kubelet Summary API each resolution period and serves
// metrics.k8s.io/v1beta1 (NodeMetrics, PodMetrics) behind the gateway's aggregation proxy, so
// `kubectl top pods|nodes` (and an HPA) read CPU and memory. Wiring only.
import type { KubeObject } from '@keelson/api';
import { runManager } from '@keelson/controller-runtime';
import { advertiseIp } from './advertise';
import { MetricsApi } from './api';
import { metricsServerConfig } from './config';
import { register } from './registration';
import { Scraper } from './scraper';
import { MetricsStorage } from './storage';

const PODS = { group: '', version: 'v1', resource: 'pods' };
const NODES = { group: '', version: 'v1', resource: 'nodes' };

void runManager('metrics-server', metricsServerConfig, (mgr, config) => {
  const pods = mgr.informer<KubeObject>(PODS).cache;
  const nodes = mgr.informer<KubeObject>(NODES).cache;
  const storage = new MetricsStorage();
  const api = new MetricsApi({ address: config.address, port: config.port, token: config.kubeletToken, storage, pods, nodes });
  const scraper = new Scraper({ nodes: () => nodes.list(), storage, token: config.kubeletToken, log: mgr.log });
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  mgr.add({
    start: async () => {
      await api.start();
      const advertise = config.advertiseAddress ?? config.address;
      const round = async (): Promise<void> => {
        const r = await scraper.scrapeAll();
        mgr.log.debug('scraped nodes', r);
        await advertiseIp(advertise).then((ip) => register(mgr.client, config.namespace, ip, api.port)).catch((err: unknown) => mgr.log.warn('registering the APIService failed', { err: String(err) }));
        if (!stopped) timer = setTimeout(() => void round(), config.resolutionMs);
      };
      await register(mgr.client, config.namespace, await advertiseIp(advertise), api.port);
      mgr.log.info('metrics-server serving', { port: api.port, resolutionMs: config.resolutionMs });
      void round();
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await api.stop();
    },
  });
});
