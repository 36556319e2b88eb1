import { message } from '@np/contracts';
import * as schemas from './backoffice.schemas.js';

/** The backoffice module's bus patterns. */
export const BACKOFFICE_MESSAGES = {
  'backoffice.items.create': message(schemas.createItemRequestSchema, schemas.itemSchema),
  'backoffice.items.get': message(schemas.itemIdParamsSchema, schemas.itemSchema),
} as const;

/** The events backoffice publishes: exactly those its manifest entry lists. */
export const BACKOFFICE_EVENTS = {} as const;

type BackofficeMessages = typeof BACKOFFICE_MESSAGES;
type BackofficeEvents = typeof BACKOFFICE_EVENTS;

declare module '@np/contracts' {
  interface MessageContracts extends BackofficeMessages {}
  interface EventContracts extends BackofficeEvents {}
}
