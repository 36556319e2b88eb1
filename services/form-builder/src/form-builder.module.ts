import { type DynamicModule, Module } from '@nestjs/common';
import type { OutboxSignal } from '@np/messaging';
import { type DataServiceDeps, dataServiceProviders } from '@np/runtime';
import { FormBuilderHandlers } from './form-builder.handlers.js';
import { FormsRepository } from './forms/forms.repository.js';
import { FormSummaries } from './forms/form-summaries.js';
import { FormsService } from './forms/forms.service.js';
import type { FormBuilderSettings } from './settings.js';
import { CoalescedKick } from './store/coalesced-kick.js';
import { FormBuilderDb } from './store/form-builder-db.js';
import { FileCheck } from './submissions/file-check.js';
import { PublicRateLimit } from './submissions/public-rate-limit.js';
import { SubmissionsRepository } from './submissions/submissions.repository.js';
import { SubmissionsService } from './submissions/submissions.service.js';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher.js';
import { WebhooksRepository } from './webhooks/webhooks.repository.js';
import { WebhooksService } from './webhooks/webhooks.service.js';

export interface FormBuilderModuleDeps extends DataServiceDeps {
  settings: FormBuilderSettings;
  outbox: OutboxSignal;
}

/** Events (and so webhook deliveries) wait at most this long for the relay. */
const OUTBOX_WINDOW_MS = 50;

@Module({})
export class FormBuilderModule {
  static register(deps: FormBuilderModuleDeps): DynamicModule {
    return {
      module: FormBuilderModule,
      controllers: [FormBuilderHandlers],
      providers: [
        ...dataServiceProviders({ ...deps, outbox: new CoalescedKick(deps.outbox, OUTBOX_WINDOW_MS) }),
        FormBuilderDb,
        FormsRepository,
        FormsService,
        FormSummaries,
        SubmissionsRepository,
        SubmissionsService,
        FileCheck,
        PublicRateLimit,
        WebhooksRepository,
        WebhooksService,
        WebhookDispatcher,
      ],
    };
  }
}
