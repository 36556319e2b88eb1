export * from './tokens.js';
export * from './service-deps.js';
export * from './start-bus-service.js';
export * from './start-module-service.js';
export * from './process-lifecycle.js';
export * from './create-service-deps.js';
export * from './run-distributed.js';
