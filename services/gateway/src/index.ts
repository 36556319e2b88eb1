export * from './settings.js';
export * from './start-gateway.js';
