import type { FieldType } from '../contracts/index.js';
import type { SqlParams } from './sql-params.js';

/** One column of a dataset and the SQL expression that reads it (built from trusted identifiers and parameters only). */
export interface DatasetField {
  name: string;
  type: FieldType;
  sql: (params: SqlParams) => string;
  /** Its text never holds a comma, a quote or a line break (a uuid): a CSV field as it is. */
  plainText?: boolean;
}

/** Where a dataset's rows come from: a projection table of the module's schema, maybe narrowed. */
export interface DatasetSource {
  name: string;
  fields: readonly DatasetField[];
  /** `<schema>.<table>`, quoted. */
  from: string;
  where?: (params: SqlParams) => string;
  /** The order plain rows come in (stable, so exports and runs agree). */
  orderBy: string;
}

export function fieldOf(source: DatasetSource, name: string): DatasetField | undefined {
  return source.fields.find((field) => field.name === name);
}
