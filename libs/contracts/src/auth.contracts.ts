import { AUTH_EVENTS, AUTH_MESSAGES } from './auth.messages.js';
import { AUTH_ROUTES } from './auth.routes.js';
import { registerModuleContracts } from './module-contracts.js';

/**
 * The auth module's contracts. Unlike the other modules', they live in this library: auth is
 * always on, and libraries (the token verifier, the gateway's revocation list) read its types.
 */
export const AUTH_CONTRACTS = registerModuleContracts({ module: 'auth', messages: AUTH_MESSAGES, events: AUTH_EVENTS, routes: AUTH_ROUTES });
