export * from './sql.js';
export * from './outbox-relay.js';
export * from './retention.js';
