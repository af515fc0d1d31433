export { freePort, waitForHttp } from './ports';
export { startEtcd, ETCD_IMAGE, type EtcdServer, type StartEtcdOptions, type EtcdClientOptions } from './etcd';
export { startNats, startSecuredNats, NATS_IMAGE, type NatsServer, type SecuredNats, type SecuredNatsConnectOptions, type StartNatsOptions } from './nats';
export { testRuntime, type TestRuntime } from './docker';
export { startControlPlane, httpsFetch, type ControlPlane, type ControlPlaneOptions, type GatewayReplica, type KubectlResult } from './control-plane';
export { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp';
export { serviceProcess, type ServiceProcess, type ServiceProcessSpec } from './service-process';
export { until } from './wait';
export { helmBinary } from './helm';
