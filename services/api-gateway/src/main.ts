// api-gateway: the only process that talks to etcd. runService gives it what every Keelson
// service has: validated configuration, tracing, the logger, SIGTERM drain, fatal reporting.
import { runService } from '@keelson/controller-runtime';
import { gatewayConfig } from './config';
import { startGateway } from './gateway';
import { skipEtcdCallerStacks } from './etcd-call-stacks';

void runService('api-gateway', async (svc) => {
  skipEtcdCallerStacks(); // before the first etcd call
  const gateway = await startGateway(svc.config(gatewayConfig), svc.log);
  svc.onShutdown(() => gateway.stop());
});
