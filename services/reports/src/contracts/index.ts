// The reports module's public contract (`@np/reports/contracts`): what other modules and the
// gateway may import. Importing it registers the module's patterns, events and routes.
import { registerModuleContracts } from '@np/contracts';
import { REPORTS_EVENTS, REPORTS_MESSAGES } from './reports.messages.js';
import { REPORTS_ROUTES } from './reports.routes.js';

export * from './reports.schemas.js';
export { REPORTS_EVENTS, REPORTS_MESSAGES, REPORTS_ROUTES };

export const REPORTS_CONTRACTS = registerModuleContracts({ module: 'reports', messages: REPORTS_MESSAGES, events: REPORTS_EVENTS, routes: REPORTS_ROUTES });
