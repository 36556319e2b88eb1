export * from './error-codes.js';
export * from './app-error.js';
export * from './unsafe-strings.js';
export * from './common.js';
export * from './auth.js';
export * from './users.js';
export * from './with-timeout.js';
export {
  MESSAGES,
  EVENTS,
  MODULES,
  OPTIONAL_MODULES,
  moduleOf,
  isMessagePattern,
  type MessageContract,
  type MessagePattern,
  type ModuleName,
  type OptionalModule,
  type RequestOf,
  type ParsedRequestOf,
  type ReplyOf,
  type EventName,
  type EventPayloadOf,
} from './patterns.js';
export * from './route-policy.js';
export * from './route-declaration.js';
export { AUTH_ROUTES } from './auth.routes.js';
export { USERS_ROUTES } from './users.routes.js';
export { HTTP_ROUTES } from './http-routes.js';
