// @keelson/compose: brings docker-compose.yml up for tests and the chaos suite, on any machine
// where a Docker engine runs or can be started (root): see README "Docker Compose" and types.ts.
export type { BackendPorts, ComposeStack, ComposeUpOptions, ExecResult, ServiceState, UpTimings } from './types';
export { up } from './stack';
export { runComposeChecks, type Check } from './checks';
