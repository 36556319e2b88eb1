import type { JsonObject, Submission, SubmissionState } from '../contracts/index.js';

export interface SubmissionRecord {
  id: string;
  formId: string;
  version: number;
  state: SubmissionState;
  data: JsonObject;
  submittedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export function toSubmission(record: SubmissionRecord): Submission {
  return { ...record, createdAt: record.createdAt.toISOString(), updatedAt: record.updatedAt.toISOString() };
}
