import type { Form, FormSettings, FormStatus, FormVersion, JsonObject } from '../contracts/index.js';

export interface FormRecord {
  id: string;
  name: string;
  description: string | null;
  status: FormStatus;
  latestVersion: number | null;
  dataSchema: JsonObject;
  uiSchema: JsonObject | null;
  settings: FormSettings;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export type FormSummary = Pick<FormRecord, 'id' | 'status' | 'latestVersion' | 'settings'>;

/** A published version: written once, never changed. */
export interface VersionRecord {
  formId: string;
  version: number;
  name: string;
  dataSchema: JsonObject;
  uiSchema: JsonObject | null;
  settings: FormSettings;
  publishedBy: string;
  publishedAt: Date;
}

export function toForm(record: FormRecord): Form {
  return { ...record, createdAt: record.createdAt.toISOString(), updatedAt: record.updatedAt.toISOString() };
}

export function toFormVersion(record: VersionRecord): FormVersion {
  return {
    formId: record.formId,
    version: record.version,
    name: record.name,
    dataSchema: record.dataSchema,
    uiSchema: record.uiSchema,
    settings: record.settings,
    publishedAt: record.publishedAt.toISOString(),
  };
}
