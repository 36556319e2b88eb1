import { z } from 'zod';

export const auditQuerySchema = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  actor: z.string().min(1).max(200).optional(),
  type: z.string().min(1).max(200).optional(),
  resource: z.string().min(1).max(300).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(300).optional(),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const auditEntrySchema = z.object({
  id: z.uuid(),
  at: z.iso.datetime(),
  actor: z.string().nullable(),
  type: z.string(),
  resource: z.string().nullable(),
  requestId: z.string().nullable(),
  /** The event's payload, every secret-like value masked. */
  changes: z.unknown(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export const auditPageSchema = z.object({ items: z.array(auditEntrySchema), nextCursor: z.string().nullable() });

/** The tenant's settings document: one per tenant, every field validated. */
export const settingsDocumentSchema = z.strictObject({
  general: z
    .strictObject({
      displayName: z.string().trim().min(1).max(200).default('NP Platform'),
      supportEmail: z.email().max(254).nullable().default(null),
      locale: z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/).default('en'),
      timeZone: z.string().min(1).max(64).refine(isTimeZone, 'not an IANA time zone').default('UTC'),
    })
    .prefault({}),
  security: z
    .strictObject({
      passwordMinLength: z.number().int().min(8).max(128).default(12),
      sessionTimeoutMinutes: z.number().int().min(5).max(43_200).default(1440),
      mfaRequired: z.boolean().default(false),
    })
    .prefault({}),
  features: z.record(z.string().regex(/^[a-z][a-z0-9-]{0,62}$/), z.boolean()).default({}),
});
export type SettingsDocument = z.infer<typeof settingsDocumentSchema>;

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const settingsSchema = z.object({
  version: z.number().int(),
  settings: settingsDocumentSchema,
  updatedAt: z.iso.datetime().nullable(),
  updatedBy: z.string().nullable(),
});
export type Settings = z.infer<typeof settingsSchema>;

/** `If-Match: "<version>"` (the ETag of the last read); `*` is not accepted: a write names what it replaces. */
export const ifMatchHeadersSchema = z.object({
  'if-match': z.string({ error: 'If-Match is required: send the ETag of the settings you read.' }).regex(/^(W\/)?"\d{1,12}"$/, 'must be the quoted ETag of GET /v1/backoffice/settings'),
});
export const putSettingsCommandSchema = z.strictObject({ expectedVersion: z.number().int().min(0), settings: settingsDocumentSchema });
export const settingsHistorySchema = z.object({
  items: z.array(z.object({ version: z.number().int(), settings: settingsDocumentSchema, updatedAt: z.iso.datetime(), updatedBy: z.string().nullable() })),
});

export const moduleStatusSchema = z.object({
  name: z.string(),
  enabled: z.boolean(),
  /** null: not known in this shape (see the module's README). */
  ready: z.boolean().nullable(),
  /** Replicas running (ready ones, where the Tenant's status says). */
  replicas: z.number().int().nullable(),
  /** Replicas the module should run now; 0 for a module scaled to zero or deactivated. */
  desired: z.number().int().nullable(),
  /** Enabled but scaled to zero for lack of traffic: the next request wakes it (unlike `enabled: false`). */
  asleep: z.boolean().nullable(),
  queueDepth: z.number().int().nullable(),
});
export const moduleStatusListSchema = z.array(moduleStatusSchema);
export type ModuleStatus = z.infer<typeof moduleStatusSchema>;

export const usageSchema = z.object({
  months: z.array(
    z.object({
      month: z.string(),
      usersCreated: z.number().int(),
      usersDeleted: z.number().int(),
      filesUploaded: z.number().int(),
      bytesUploaded: z.number(),
      submissions: z.number().int(),
      exports: z.number().int(),
    }),
  ),
});
export type Usage = z.infer<typeof usageSchema>;

export const settingsUpdatedEventSchema = z.object({ version: z.number().int(), settings: settingsDocumentSchema });
