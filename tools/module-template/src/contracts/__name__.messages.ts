import { message } from '@np/contracts';
import * as schemas from './__name__.schemas.js';

/** The __name__ module's bus patterns. */
export const __NAME___MESSAGES = {
  '__name__.items.create': message(schemas.createItemRequestSchema, schemas.itemSchema),
  '__name__.items.get': message(schemas.itemIdParamsSchema, schemas.itemSchema),
} as const;

/** The events __name__ publishes: exactly those its manifest entry lists. */
export const __NAME___EVENTS = {} as const;

type __Name__Messages = typeof __NAME___MESSAGES;
type __Name__Events = typeof __NAME___EVENTS;

declare module '@np/contracts' {
  interface MessageContracts extends __Name__Messages {}
  interface EventContracts extends __Name__Events {}
}
