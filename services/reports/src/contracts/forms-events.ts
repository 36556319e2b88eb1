import { z } from 'zod';

// The form builder's events as its contract (`@np/form-builder/contracts`) defines them. They are
// kept here so reports reads them without depending on that module, and accepted by name only.
export const formPublishedEventSchema = z.object({
  formId: z.uuid(),
  version: z.number().int().min(1),
  name: z.string(),
  dataSchema: z.record(z.string(), z.unknown()),
  publishedAt: z.iso.datetime(),
});

export const submissionSchema = z.object({
  id: z.uuid(),
  formId: z.uuid(),
  version: z.number().int().min(1),
  state: z.string(),
  data: z.record(z.string(), z.unknown()),
  submittedBy: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export const submissionEventSchema = z.object({ submission: submissionSchema });

/** The module that publishes them (the broker vouches for it) and their schemas by name. */
export const FORMS_PUBLISHER = 'form-builder';
export const FORMS_EVENTS = {
  'forms.form.published': formPublishedEventSchema,
  'forms.submission.created': submissionEventSchema,
  'forms.submission.updated': submissionEventSchema,
} as const;
export type FormsEventName = keyof typeof FORMS_EVENTS;
