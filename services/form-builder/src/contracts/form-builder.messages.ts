import { message } from '@np/contracts';
import * as schemas from './form-builder.schemas.js';

/** The form builder's bus patterns (prefix `form-builder.`, its manifest name). */
export const FORM_BUILDER_MESSAGES = {
  'form-builder.forms.create': message(schemas.createFormRequestSchema, schemas.formSchema),
  'form-builder.forms.update': message(schemas.updateFormRequestSchema, schemas.formSchema),
  'form-builder.forms.list': message(schemas.listFormsQuerySchema, schemas.formListSchema),
  'form-builder.forms.get': message(schemas.formIdParamsSchema, schemas.formSchema),
  'form-builder.forms.archive': message(schemas.formIdParamsSchema, schemas.emptySchema),
  'form-builder.versions.publish': message(schemas.formIdParamsSchema, schemas.formVersionSchema),
  'form-builder.versions.get': message(schemas.versionParamsSchema, schemas.formVersionSchema),
  'form-builder.versions.public': message(schemas.formIdParamsSchema, schemas.formVersionSchema),
  'form-builder.submissions.create': message(schemas.createSubmissionRequestSchema, schemas.submissionSchema),
  'form-builder.submissions.create-public': message(schemas.publicSubmissionRequestSchema, schemas.submissionSchema),
  'form-builder.submissions.update': message(schemas.updateSubmissionRequestSchema, schemas.submissionSchema),
  'form-builder.submissions.list': message(schemas.listSubmissionsRequestSchema, schemas.submissionListSchema),
  'form-builder.submissions.get': message(schemas.submissionIdParamsSchema, schemas.submissionSchema),
  'form-builder.webhooks.create': message(schemas.createWebhookRequestSchema, schemas.createdWebhookSchema),
  'form-builder.webhooks.list': message(schemas.formIdParamsSchema, schemas.webhookListSchema),
  'form-builder.webhooks.delete': message(schemas.webhookRequestSchema, schemas.emptySchema),
  'form-builder.deliveries.list': message(schemas.listDeliveriesRequestSchema, schemas.deliveryListSchema),
  'form-builder.deliveries.redeliver': message(schemas.redeliverRequestSchema, schemas.deliverySchema),
} as const;

/** The events the form builder publishes: exactly those its manifest entry lists. */
export const FORM_BUILDER_EVENTS = {
  'forms.form.published': schemas.formPublishedEventSchema,
  'forms.submission.created': schemas.submissionEventSchema,
  'forms.submission.updated': schemas.submissionEventSchema,
} as const;

type FormBuilderMessages = typeof FORM_BUILDER_MESSAGES;
type FormBuilderEvents = typeof FORM_BUILDER_EVENTS;

declare module '@np/contracts' {
  interface MessageContracts extends FormBuilderMessages {}
  interface EventContracts extends FormBuilderEvents {}
}
