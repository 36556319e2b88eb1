export * from './load-settings.js';
export * from './fields.js';
export * from './common-settings.js';
export * from './identity-settings.js';
