export * from './tokens.js';
export * from './service-deps.js';
export * from './start-bus-service.js';
export * from './process-lifecycle.js';
