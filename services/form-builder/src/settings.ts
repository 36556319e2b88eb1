import { busSettingsSchema, databaseSettingsSchema, positiveInt, processSettingsSchema, withIssuer } from '@np/config';
import { moduleEntry } from '@np/modules';
import { z } from 'zod';

export const formBuilderSettingsSchema = processSettingsSchema
  .extend(busSettingsSchema.shape)
  .extend(databaseSettingsSchema.shape)
  .extend({
    NP_FORM_BUILDER_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase SQL identifier')
      .default(moduleEntry('form-builder').schema),
    /** Attempts of one webhook delivery (the first included) before it is marked failed. */
    NP_WEBHOOK_MAX_ATTEMPTS: positiveInt(5),
    /** Delay before the second attempt; each later one waits twice as long as the one before. */
    NP_WEBHOOK_RETRY_BASE_MS: positiveInt(1000),
    /** A target that has not answered (headers) within this is a failed attempt, retried. */
    NP_WEBHOOK_TIMEOUT_MS: positiveInt(5000),
    /**
     * Comma-separated hosts (names or addresses) webhooks may target; `*` any host whose every
     * address is public. Private, loopback and link-local addresses are refused unless their host is listed.
     */
    NP_WEBHOOK_ALLOWED_HOSTS: z.string().default('*'),
    /** Anonymous submissions to public forms one client address may make per minute. */
    NP_FORMS_PUBLIC_SUBMISSIONS_PER_MINUTE: positiveInt(30),
  })
  .transform((settings) => withIssuer(settings));

export type FormBuilderSettings = z.output<typeof formBuilderSettingsSchema>;
