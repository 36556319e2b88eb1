import { message } from '@np/contracts';
import { z } from 'zod';
import * as schemas from './backoffice.schemas.js';

const empty = z.strictObject({});

/** The backoffice module's bus patterns (its routes are the admins'). */
export const BACKOFFICE_MESSAGES = {
  'backoffice.audit.list': message(schemas.auditQuerySchema, schemas.auditPageSchema),
  'backoffice.settings.get': message(empty, schemas.settingsSchema),
  'backoffice.settings.put': message(schemas.putSettingsCommandSchema, schemas.settingsSchema),
  'backoffice.settings.history': message(empty, schemas.settingsHistorySchema),
  'backoffice.modules.list': message(empty, schemas.moduleStatusListSchema),
  'backoffice.usage.get': message(empty, schemas.usageSchema),
} as const;

/** The events backoffice publishes: exactly those its manifest entry lists. */
export const BACKOFFICE_EVENTS = {
  'backoffice.settings.updated': schemas.settingsUpdatedEventSchema,
} as const;

type BackofficeMessages = typeof BACKOFFICE_MESSAGES;
type BackofficeEvents = typeof BACKOFFICE_EVENTS;

declare module '@np/contracts' {
  interface MessageContracts extends BackofficeMessages {}
  interface EventContracts extends BackofficeEvents {}
}
