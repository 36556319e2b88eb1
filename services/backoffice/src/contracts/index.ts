// The backoffice module's public contract (`@np/backoffice/contracts`): what other modules and the
// gateway may import. Importing it registers the module's patterns, events and routes.
import { registerModuleContracts } from '@np/contracts';
import { BACKOFFICE_EVENTS, BACKOFFICE_MESSAGES } from './backoffice.messages.js';
import { BACKOFFICE_ROUTES } from './backoffice.routes.js';

export * from './backoffice.schemas.js';
export { BACKOFFICE_EVENTS, BACKOFFICE_MESSAGES, BACKOFFICE_ROUTES };

export const BACKOFFICE_CONTRACTS = registerModuleContracts({ module: 'backoffice', messages: BACKOFFICE_MESSAGES, events: BACKOFFICE_EVENTS, routes: BACKOFFICE_ROUTES });
