// The __name__ module's public contract (`@np/__name__/contracts`): what other modules and the
// gateway may import. Importing it registers the module's patterns, events and routes.
import { registerModuleContracts } from '@np/contracts';
import { __NAME___EVENTS, __NAME___MESSAGES } from './__name__.messages.js';
import { __NAME___ROUTES } from './__name__.routes.js';

export * from './__name__.schemas.js';
export { __NAME___EVENTS, __NAME___MESSAGES, __NAME___ROUTES };

export const __NAME___CONTRACTS = registerModuleContracts({ module: '__name__', messages: __NAME___MESSAGES, events: __NAME___EVENTS, routes: __NAME___ROUTES });
