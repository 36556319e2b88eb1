// The files module's public contract (`@np/files/contracts`): what other modules and the
// gateway may import. Importing it registers the module's patterns, events, routes and stream routes.
import { registerModuleContracts } from '@np/contracts';
import { FILES_EVENTS, FILES_MESSAGES } from './files.messages.js';
import { FILES_ROUTES } from './files.routes.js';
import { FILES_STREAMS, TUS_PATH } from './files.streams.js';

export * from './files.schemas.js';
export { FILES_EVENTS, FILES_MESSAGES, FILES_ROUTES, FILES_STREAMS, TUS_PATH };

export const FILES_CONTRACTS = registerModuleContracts({ module: 'files', messages: FILES_MESSAGES, events: FILES_EVENTS, routes: FILES_ROUTES, streams: FILES_STREAMS });
