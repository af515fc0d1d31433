// @keelson/bus: subject layout, event envelope, the events stream and NATS connection settings.
export * from './subjects';
export * from './envelope';
export * from './registry-key';
export * from './event-message';
export * from './stream';
export * from './connection';
export * from './inbox';
export { skipNatsCancelStacks, withoutStackCapture } from './request-stacks';
export * from './limits';
