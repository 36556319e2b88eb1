// The form builder's public contract (`@np/form-builder/contracts`): what other modules and the
// gateway may import. Importing it registers the module's patterns, events and routes.
import { registerModuleContracts } from '@np/contracts';
import { FORM_BUILDER_EVENTS, FORM_BUILDER_MESSAGES } from './form-builder.messages.js';
import { FORM_BUILDER_ROUTES } from './form-builder.routes.js';

export * from './form-builder.schemas.js';
export { firstTooDeep, MAX_JSON_DEPTH } from './json-bounds.js';
export { FORM_BUILDER_EVENTS, FORM_BUILDER_MESSAGES, FORM_BUILDER_ROUTES };

export const FORM_BUILDER_CONTRACTS = registerModuleContracts({ module: 'form-builder', messages: FORM_BUILDER_MESSAGES, events: FORM_BUILDER_EVENTS, routes: FORM_BUILDER_ROUTES });
