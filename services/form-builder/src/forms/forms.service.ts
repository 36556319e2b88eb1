import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError, decodePageCursor, encodePageCursor, type Principal } from '@np/contracts';
import { domainEvent, insertOutboxEvent, type OutboxSignal } from '@np/messaging';
import { OUTBOX } from '@np/runtime';
import type { CreateFormRequest, Form, FormVersion, UpdateFormRequest } from '../contracts/index.js';
import { checkDefinition } from '../definitions/definition-check.js';
import { validationFailed } from '../definitions/problems.js';
import { FormBuilderDb } from '../store/form-builder-db.js';
import { maySubmit } from './form-access.js';
import { type FormRecord, toForm, toFormVersion, type VersionRecord } from './form-record.js';
import { FormSummaries } from './form-summaries.js';
import { FormsRepository } from './forms.repository.js';

/** Forms and their versions: drafts are edited freely; publishing freezes the draft as the next version. */
@Injectable()
export class FormsService {
  constructor(
    @Inject(FormsRepository) private readonly forms: FormsRepository,
    @Inject(FormBuilderDb) private readonly db: FormBuilderDb,
    @Inject(OUTBOX) private readonly outbox: OutboxSignal,
    @Inject(FormSummaries) private readonly summaries: FormSummaries,
  ) {}

  async create(principal: Principal, request: CreateFormRequest): Promise<Form> {
    assertDefinition(request.dataSchema, request.uiSchema);
    const now = new Date();
    const record: FormRecord = {
      id: randomUUID(),
      name: request.name,
      description: request.description ?? null,
      status: 'draft',
      latestVersion: null,
      dataSchema: request.dataSchema,
      uiSchema: request.uiSchema ?? null,
      settings: request.settings ?? { access: 'restricted' },
      createdBy: principal.sub,
      createdAt: now,
      updatedAt: now,
    };
    await this.forms.insert(record);
    return toForm(record);
  }

  async update(request: UpdateFormRequest): Promise<Form> {
    const current = await this.find(request.id);
    if (current.status === 'archived') throw new AppError('conflict', `Form ${request.id} is archived.`);
    const next: FormRecord = {
      ...current,
      ...(request.name === undefined ? {} : { name: request.name }),
      ...(request.description === undefined ? {} : { description: request.description }),
      ...(request.dataSchema === undefined ? {} : { dataSchema: request.dataSchema }),
      ...(request.uiSchema === undefined ? {} : { uiSchema: request.uiSchema }),
      ...(request.settings === undefined ? {} : { settings: request.settings }),
      updatedAt: new Date(),
    };
    if (request.dataSchema !== undefined || request.uiSchema !== undefined) assertDefinition(next.dataSchema, next.uiSchema);
    await this.forms.update(next);
    this.summaries.forget(next.id);
    return toForm(next);
  }

  async list(request: { limit: number; cursor?: string | undefined; q?: string | undefined }): Promise<{ items: Form[]; nextCursor: string | null }> {
    const records = await this.forms.list({ limit: request.limit + 1, q: request.q, cursor: request.cursor === undefined ? undefined : decodePageCursor(request.cursor) });
    const page = records.slice(0, request.limit);
    const last = page.at(-1);
    return { items: page.map(toForm), nextCursor: records.length > request.limit && last ? encodePageCursor(last) : null };
  }

  async get(id: string): Promise<Form> {
    return toForm(await this.find(id));
  }

  async archive(id: string): Promise<void> {
    const current = await this.find(id);
    if (current.status !== 'archived') await this.forms.update({ ...current, status: 'archived', updatedAt: new Date() });
    this.summaries.forget(id);
  }

  /** The draft as the next version, with its `forms.form.published` event, in one transaction. */
  async publish(principal: Principal, id: string): Promise<FormVersion> {
    const version = await this.db.transaction(async (query) => {
      const form = await this.forms.findById(id, query, true);
      if (!form) throw new AppError('not_found', `No form ${id}.`);
      if (form.status === 'archived') throw new AppError('conflict', `Form ${id} is archived.`);
      // The stored draft was checked when saved; checked again so a version is never uncompilable.
      assertDefinition(form.dataSchema, form.uiSchema);
      const now = new Date();
      const record: VersionRecord = {
        formId: id,
        version: (form.latestVersion ?? 0) + 1,
        name: form.name,
        dataSchema: form.dataSchema,
        uiSchema: form.uiSchema,
        settings: form.settings,
        publishedBy: principal.sub,
        publishedAt: now,
      };
      await this.forms.insertVersion(record, query);
      await this.forms.update({ ...form, status: 'published', latestVersion: record.version, updatedAt: now }, query);
      await insertOutboxEvent(
        query,
        this.db.schema,
        domainEvent('forms.form.published', { formId: id, version: record.version, name: record.name, dataSchema: record.dataSchema, publishedAt: now.toISOString() }),
      );
      return record;
    });
    this.summaries.forget(id);
    this.outbox.kick();
    return toFormVersion(version);
  }

  /** A published version, for readers of forms and for whoever may submit the form. */
  async getVersion(principal: Principal, id: string, version: number): Promise<FormVersion> {
    const form = await this.find(id);
    if (!maySubmit(principal, form.settings.access)) throw new AppError('not_found', `No form ${id}.`);
    const record = await this.forms.findVersion(id, version);
    if (!record) throw new AppError('not_found', `Form ${id} has no version ${version}.`);
    return toFormVersion(record);
  }

  /** The latest version of a public form, for anyone; any other form is not found. */
  async publicVersion(id: string): Promise<FormVersion> {
    const form = await this.forms.findById(id);
    if (!form || form.settings.access !== 'public' || form.status === 'archived') throw new AppError('not_found', `No public form ${id}.`);
    if (form.latestVersion === null) throw new AppError('form_not_published', `Form ${id} has no published version yet.`);
    const record = await this.forms.findVersion(id, form.latestVersion);
    if (!record) throw new AppError('not_found', `No public form ${id}.`);
    return toFormVersion(record);
  }

  private async find(id: string): Promise<FormRecord> {
    const record = await this.forms.findById(id);
    if (!record) throw new AppError('not_found', `No form ${id}.`);
    return record;
  }
}

function assertDefinition(dataSchema: Record<string, unknown>, uiSchema: Record<string, unknown> | null | undefined): void {
  const problems = checkDefinition({ dataSchema, uiSchema });
  if (problems.length > 0) throw validationFailed('The form definition is not valid.', problems);
}
