// The users module's public contract (`@np/users/contracts`): what other modules and the gateway
// may import. Importing it registers the module's patterns, events and routes in this process.
import { registerModuleContracts } from '@np/contracts';
import { USERS_EVENTS, USERS_MESSAGES } from './users.messages.js';
import { USERS_ROUTES } from './users.routes.js';

export * from './users.schemas.js';
export { USERS_EVENTS, USERS_MESSAGES, USERS_ROUTES };

export const USERS_CONTRACTS = registerModuleContracts({ module: 'users', messages: USERS_MESSAGES, events: USERS_EVENTS, routes: USERS_ROUTES });
