export * from './types';
export * from './status';
export * from './registry';
export * from './schema/types';
