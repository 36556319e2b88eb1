import { message } from '@np/contracts';
import * as schemas from './files.schemas.js';

/** The files module's bus patterns. */
export const FILES_MESSAGES = {
  'files.items.create': message(schemas.createItemRequestSchema, schemas.itemSchema),
  'files.items.get': message(schemas.itemIdParamsSchema, schemas.itemSchema),
} as const;

/** The events files publishes: exactly those its manifest entry lists. */
export const FILES_EVENTS = {} as const;

type FilesMessages = typeof FILES_MESSAGES;
type FilesEvents = typeof FILES_EVENTS;

declare module '@np/contracts' {
  interface MessageContracts extends FilesMessages {}
  interface EventContracts extends FilesEvents {}
}
