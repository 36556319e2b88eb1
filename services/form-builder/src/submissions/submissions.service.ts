import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError, decodePageCursor, encodePageCursor, type Principal } from '@np/contracts';
import { domainEvent, type OutboxSignal } from '@np/messaging';
import { OUTBOX, SETTINGS } from '@np/runtime';
import type { JsonObject, Submission, SubmissionState } from '../contracts/index.js';
import { FormCache } from '../definitions/form-cache.js';
import { validationFailed } from '../definitions/problems.js';
import { mayReadSubmissions, maySubmit } from '../forms/form-access.js';
import { FormSummaries } from '../forms/form-summaries.js';
import { FormsRepository } from '../forms/forms.repository.js';
import type { FormBuilderSettings } from '../settings.js';
import { FormBuilderDb } from '../store/form-builder-db.js';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher.js';
import { FileCheck } from './file-check.js';
import { type SubmissionRecord, toSubmission } from './submission-record.js';
import { SubmissionsRepository } from './submissions.repository.js';

export interface SubmissionListRequest {
  formId: string;
  limit: number;
  version?: number | undefined;
  state?: SubmissionState | undefined;
  cursor?: string | undefined;
}

/**
 * Submissions: made against the latest published version and checked by it on the server (UI
 * rules and `if`/`then` decide what is hidden: not required, not stored; unknown fields refused;
 * file ids confirmed by the files module). A submission keeps its version forever; a draft is
 * resumed against the version it started on.
 */
@Injectable()
export class SubmissionsService {
  private readonly cache = new FormCache();

  constructor(
    @Inject(FormsRepository) private readonly forms: FormsRepository,
    @Inject(SubmissionsRepository) private readonly submissions: SubmissionsRepository,
    @Inject(FileCheck) private readonly files: FileCheck,
    @Inject(FormBuilderDb) private readonly db: FormBuilderDb,
    @Inject(OUTBOX) private readonly outbox: OutboxSignal,
    @Inject(FormSummaries) private readonly summaries: FormSummaries,
    @Inject(WebhookDispatcher) private readonly dispatcher: WebhookDispatcher,
    @Inject(SETTINGS) private readonly settings: Pick<FormBuilderSettings, 'NP_WEBHOOK_MAX_ATTEMPTS'>,
  ) {}

  /** `principal` undefined: an anonymous submission, only to a public form. */
  async create(principal: Principal | undefined, request: { formId: string; data: JsonObject; state: SubmissionState }): Promise<Submission> {
    const form = await this.summaries.get(request.formId);
    // Anonymous callers learn nothing of forms that are not public.
    if (!form || (!principal && form.settings.access !== 'public')) throw new AppError('not_found', `No form ${request.formId}.`);
    if (principal && !maySubmit(principal, form.settings.access)) throw new AppError('forbidden', 'Submitting to this form needs forms:submit.');
    if (form.status === 'archived') throw formArchived(form.id);
    if (form.latestVersion === null) throw new AppError('form_not_published', `Form ${form.id} has no published version yet.`);
    const userId = principal?.sub ?? null;
    const data = await this.checked(form.id, form.latestVersion, request.data, request.state, userId);
    const now = new Date();
    const record: SubmissionRecord = { id: randomUUID(), formId: form.id, version: form.latestVersion, state: request.state, data, submittedBy: userId, createdAt: now, updatedAt: now };
    const submission = toSubmission(record);
    const deliveries = await this.submissions.insertWithEvent(record, domainEvent('forms.submission.created', { submission }, now), this.settings.NP_WEBHOOK_MAX_ATTEMPTS);
    this.outbox.kick();
    if (deliveries > 0) this.dispatcher.kick();
    return submission;
  }

  /** Saves an own draft again, or submits it (validated in full, against the draft's version). */
  async update(principal: Principal, request: { id: string; data?: JsonObject | undefined; state?: SubmissionState | undefined }): Promise<Submission> {
    const current = await this.submissions.findById(request.id);
    if (!current || current.submittedBy !== principal.sub) throw new AppError('not_found', `No submission ${request.id} of yours.`);
    if (current.state !== 'draft') throw new AppError('conflict', `Submission ${request.id} is submitted: it no longer changes.`);
    const form = await this.summaries.get(current.formId);
    if (!form || form.status === 'archived') throw formArchived(current.formId);
    const state = request.state ?? 'draft';
    const data = await this.checked(current.formId, current.version, request.data ?? current.data, state, principal.sub);
    const next: SubmissionRecord = { ...current, state, data, updatedAt: new Date() };
    const submission = toSubmission(next);
    const outcome = await this.db.transaction(async (query) => {
      const result = await this.submissions.updateDraft(next, query);
      const deliveries = result === 'updated' ? await this.submissions.insertUpdateEvent(next, domainEvent('forms.submission.updated', { submission }, next.updatedAt), this.settings.NP_WEBHOOK_MAX_ATTEMPTS, query) : 0;
      return { result, deliveries };
    });
    if (outcome.result === 'form_archived') throw formArchived(current.formId);
    if (outcome.result === 'not_draft') throw new AppError('conflict', `Submission ${request.id} is submitted: it no longer changes.`);
    this.outbox.kick();
    if (outcome.deliveries > 0) this.dispatcher.kick();
    return submission;
  }

  async get(principal: Principal, id: string): Promise<Submission> {
    const record = await this.submissions.findById(id);
    if (!record || (record.submittedBy !== principal.sub && !mayReadSubmissions(principal))) throw new AppError('not_found', `No submission ${id}.`);
    return toSubmission(record);
  }

  async list(request: SubmissionListRequest): Promise<{ items: Submission[]; nextCursor: string | null }> {
    if (!(await this.forms.findSummary(request.formId))) throw new AppError('not_found', `No form ${request.formId}.`);
    const records = await this.submissions.list({
      formId: request.formId,
      limit: request.limit + 1,
      version: request.version,
      state: request.state,
      cursor: request.cursor === undefined ? undefined : decodePageCursor(request.cursor),
    });
    const page = records.slice(0, request.limit);
    const last = page.at(-1);
    return { items: page.map(toSubmission), nextCursor: records.length > request.limit && last ? encodePageCursor(last) : null };
  }

  /** The data to store, or 400 `validation_failed` with every problem at its pointer (under `/data`). */
  private async checked(formId: string, version: number, data: JsonObject, state: SubmissionState, userId: string | null): Promise<JsonObject> {
    const compiled = await this.cache.get(formId, version, async () => {
      const record = await this.forms.findVersion(formId, version);
      if (!record) throw new AppError('not_found', `Form ${formId} has no version ${version}.`);
      return { dataSchema: record.dataSchema, uiSchema: record.uiSchema };
    });
    const outcome = compiled.check(data, state);
    const problems = outcome.problems.length > 0 ? outcome.problems : await this.files.problems(compiled.fileFields, outcome.data, userId);
    if (problems.length > 0) throw validationFailed('The submission does not fit the form.', problems.map((problem) => ({ ...problem, pointer: `/data${problem.pointer}` })));
    return outcome.data;
  }
}

/** An archived form takes no new submission and no change to a draft: the same 409 as a form never published. */
function formArchived(formId: string): AppError {
  return new AppError('form_not_published', `Form ${formId} is archived: it takes no submissions.`);
}
