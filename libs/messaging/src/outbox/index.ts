export * from './sql.js';
export * from './pg.js';
export * from './outbox-relay.js';
