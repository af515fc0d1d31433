// @keelson/controller-runtime: informers, work queue, leader election, event recorder, manager.
export * from './rate-limiter';
export * from './work-queue';
export * from './controller';
export * from './metrics';
export * from './cache';
export * from './informer';
export * from './handlers';
export * from './event-consumer';
export * from './leader-election';
export * from './event-recorder';
export * from './config';
export * from './manager';
export * from './controller-ref-manager';
export * from './builder';
export * from './service';
export * from './controller-history';
export * from './bearer-token';
