export * from './servers.js';
export * from './test-tokens.js';
