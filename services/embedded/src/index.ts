export * from './settings.js';
export * from './start-embedded.js';
