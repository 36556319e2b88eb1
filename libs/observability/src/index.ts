export * from './request-context.js';
export * from './logger.js';
export * from './metrics.js';
export * from './health.js';
export * from './ops-server.js';
export * from './public-probes.js';
export * from './nest-logger.js';
