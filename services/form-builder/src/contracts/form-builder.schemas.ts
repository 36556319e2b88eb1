import { z } from 'zod';
import { boundedJsonObject } from './json-bounds.js';
import { jsonObject } from './json-object.js';

/** A JSON object as sent: JSON Schema documents, JSON Forms UI schemas and submission data. */
export const jsonObjectSchema = jsonObject();
export type JsonObject = z.infer<typeof jsonObjectSchema>;

export const FORM_ACCESS = ['restricted', 'authenticated', 'public'] as const;
/**
 * Who may submit: `restricted` holders of `forms:submit`, `authenticated` any signed-in user,
 * `public` anyone, also without a token (at `/v1/public/forms/:id/submissions`).
 */
export const formAccessSchema = z.enum(FORM_ACCESS);
export type FormAccess = z.infer<typeof formAccessSchema>;

export const formSettingsSchema = z.strictObject({ access: formAccessSchema.default('restricted') });
export type FormSettings = z.infer<typeof formSettingsSchema>;

export const FORM_STATUSES = ['draft', 'published', 'archived'] as const;
export type FormStatus = (typeof FORM_STATUSES)[number];

export const formSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  status: z.enum(FORM_STATUSES),
  latestVersion: z.number().int().min(1).nullable(),
  dataSchema: jsonObjectSchema,
  uiSchema: jsonObjectSchema.nullable(),
  settings: formSettingsSchema,
  createdBy: z.uuid(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Form = z.infer<typeof formSchema>;

const nameSchema = z.string().trim().min(1).max(200);
const descriptionSchema = z.string().max(2000);

export const createFormRequestSchema = z.strictObject({
  name: nameSchema,
  description: descriptionSchema.optional(),
  dataSchema: boundedJsonObject('/dataSchema'),
  uiSchema: boundedJsonObject('/uiSchema').optional(),
  settings: formSettingsSchema.optional(),
});
export type CreateFormRequest = z.infer<typeof createFormRequestSchema>;

export const updateFormBodySchema = z.strictObject({
  name: nameSchema.optional(),
  description: descriptionSchema.nullable().optional(),
  dataSchema: boundedJsonObject('/dataSchema').optional(),
  uiSchema: boundedJsonObject('/uiSchema').nullable().optional(),
  settings: formSettingsSchema.optional(),
});
export const formIdParamsSchema = z.strictObject({ id: z.uuid() });
export const updateFormRequestSchema = updateFormBodySchema.extend({ id: z.uuid() });
export type UpdateFormRequest = z.infer<typeof updateFormRequestSchema>;

const limitSchema = z.coerce.number().int().min(1).max(100).default(20);

export const listFormsQuerySchema = z.strictObject({
  limit: limitSchema,
  cursor: z.string().max(200).optional(),
  q: z.string().trim().min(1).max(200).optional(),
});
export const formListSchema = z.object({ items: z.array(formSchema), nextCursor: z.string().nullable() });

export const formVersionSchema = z.object({
  formId: z.uuid(),
  version: z.number().int().min(1),
  name: z.string(),
  dataSchema: jsonObjectSchema,
  uiSchema: jsonObjectSchema.nullable(),
  settings: formSettingsSchema,
  publishedAt: z.iso.datetime(),
});
export type FormVersion = z.infer<typeof formVersionSchema>;

export const versionParamsSchema = z.strictObject({ id: z.uuid(), version: z.coerce.number().int().min(1).max(1_000_000) });

export const SUBMISSION_STATES = ['draft', 'submitted'] as const;
export const submissionStateSchema = z.enum(SUBMISSION_STATES);
export type SubmissionState = z.infer<typeof submissionStateSchema>;

export const submissionSchema = z.object({
  id: z.uuid(),
  formId: z.uuid(),
  version: z.number().int().min(1),
  state: submissionStateSchema,
  data: jsonObjectSchema,
  /** null for an anonymous submission to a public form. */
  submittedBy: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Submission = z.infer<typeof submissionSchema>;

export const createSubmissionBodySchema = z.strictObject({
  data: boundedJsonObject('/data'),
  state: submissionStateSchema.default('submitted'),
});
export const createSubmissionRequestSchema = createSubmissionBodySchema.extend({ formId: z.uuid() });
export type CreateSubmissionRequest = z.infer<typeof createSubmissionRequestSchema>;

/** Anonymous submissions are final: without an account there is nobody to resume a draft. */
export const publicSubmissionBodySchema = z.strictObject({ data: boundedJsonObject('/data'), state: z.literal('submitted').default('submitted') });
export const publicSubmissionRequestSchema = publicSubmissionBodySchema.extend({ formId: z.uuid(), ip: z.string().max(100) });

export const updateSubmissionBodySchema = z.strictObject({ data: boundedJsonObject('/data').optional(), state: submissionStateSchema.optional() });
export const submissionIdParamsSchema = z.strictObject({ id: z.uuid() });
export const updateSubmissionRequestSchema = updateSubmissionBodySchema.extend({ id: z.uuid() });
export type UpdateSubmissionRequest = z.infer<typeof updateSubmissionRequestSchema>;

export const listSubmissionsQuerySchema = z.strictObject({
  version: z.coerce.number().int().min(1).max(1_000_000).optional(),
  state: submissionStateSchema.optional(),
  limit: limitSchema,
  cursor: z.string().max(200).optional(),
});
export const listSubmissionsRequestSchema = listSubmissionsQuerySchema.extend({ formId: z.uuid() });
export const submissionListSchema = z.object({ items: z.array(submissionSchema), nextCursor: z.string().nullable() });

export const WEBHOOK_EVENTS = ['submission.created', 'submission.updated'] as const;
export const webhookEventSchema = z.enum(WEBHOOK_EVENTS);
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

export const createWebhookBodySchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2000),
  events: z
    .array(webhookEventSchema)
    .min(1)
    .max(WEBHOOK_EVENTS.length)
    .refine((events) => new Set(events).size === events.length, 'each event once'),
});
export const createWebhookRequestSchema = createWebhookBodySchema.extend({ formId: z.uuid() });
export const webhookSchema = z.object({
  id: z.uuid(),
  formId: z.uuid(),
  url: z.string(),
  events: z.array(webhookEventSchema),
  createdAt: z.iso.datetime(),
});
/** The signing secret (`whsec_…`, Standard Webhooks) is shown once, at creation. */
export const createdWebhookSchema = webhookSchema.extend({ secret: z.string() });
/** A form's webhooks as listed: never the secret. */
export const webhookListItemSchema = webhookSchema.omit({ formId: true });
export const webhookListSchema = z.object({ items: z.array(webhookListItemSchema) });

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export const deliverySchema = z.object({
  id: z.uuid(),
  webhookId: z.uuid(),
  event: webhookEventSchema,
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int().min(0),
  lastResponseCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  nextAttemptAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Delivery = z.infer<typeof deliverySchema>;

export const webhookParamsSchema = z.strictObject({ id: z.uuid(), webhookId: z.uuid() });
export const webhookRequestSchema = z.strictObject({ formId: z.uuid(), webhookId: z.uuid() });
export const listDeliveriesQuerySchema = z.strictObject({ limit: limitSchema, cursor: z.string().max(200).optional() });
export const listDeliveriesRequestSchema = listDeliveriesQuerySchema.extend({ formId: z.uuid(), webhookId: z.uuid() });
export const deliveryListSchema = z.object({ items: z.array(deliverySchema), nextCursor: z.string().nullable() });
export const deliveryParamsSchema = z.strictObject({ id: z.uuid(), webhookId: z.uuid(), deliveryId: z.uuid() });
export const redeliverRequestSchema = z.strictObject({ formId: z.uuid(), webhookId: z.uuid(), deliveryId: z.uuid() });

export const emptySchema = z.strictObject({});

// Events
export const formPublishedEventSchema = z.object({
  formId: z.uuid(),
  version: z.number().int().min(1),
  name: z.string(),
  dataSchema: jsonObjectSchema,
  publishedAt: z.iso.datetime(),
});
export const submissionEventSchema = z.object({ submission: submissionSchema });
export type SubmissionEvent = z.infer<typeof submissionEventSchema>;
