import { AUTH_ROUTES } from './auth.routes.js';
import type { RouteDeclaration } from './route-declaration.js';
import { USERS_ROUTES } from './users.routes.js';

/** Every module's HTTP routes: the gateway serves and documents exactly these. */
export const HTTP_ROUTES: readonly RouteDeclaration[] = [...AUTH_ROUTES, ...USERS_ROUTES];
