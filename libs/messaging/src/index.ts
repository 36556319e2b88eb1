export * from './envelopes.js';
export * from './transport.js';
export * from './in-process-transport.js';
export * from './topic-matches.js';
export * from './bus-client.js';
export * from './bus-context.js';
export * from './bus-server.js';
export * from './rabbitmq-transport.js';
export { EVENTS_EXCHANGE, DEAD_LETTER_EXCHANGE, rpcQueue, eventQueue, deadLetterQueue } from './rabbitmq/topology.js';
