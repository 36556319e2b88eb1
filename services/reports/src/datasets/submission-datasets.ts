import { quoteIdentifier } from '@np/persistence';
import type { FieldType } from '../contracts/index.js';
import type { DatasetField, DatasetSource } from './dataset-source.js';
import { tableFields } from './table-fields.js';

export const SUBMISSIONS_PREFIX = 'submissions:';

/** One published version of a form, as the projection keeps it. */
export interface PublishedForm {
  formId: string;
  version: number;
  dataSchema: unknown;
}

/** A JSON Schema property's type as a dataset field type (anything else reads as its JSON text). */
export function fieldTypeOfProperty(property: unknown): FieldType {
  if (typeof property !== 'object' || property === null) return 'string';
  const { type, format, items } = property as { type?: unknown; format?: unknown; items?: unknown };
  if (type === 'number' || type === 'integer') return 'number';
  if (type === 'boolean') return 'boolean';
  if (type === 'string' && (format === 'date-time' || format === 'date')) return 'datetime';
  if (type === 'array' && typeof items === 'object' && items !== null && (items as { type?: unknown }).type === 'string') return 'string[]';
  return 'string';
}

/**
 * The data columns of a form across all its versions: every property any version declared, in
 * name order (the stored schema keeps no key order); a property whose type changed between
 * versions reads as text.
 */
export function dataColumnsOf(versions: readonly PublishedForm[]): Array<{ property: string; type: FieldType }> {
  const columns = new Map<string, FieldType>();
  for (const version of [...versions].sort((a, b) => a.version - b.version)) {
    const properties = (version.dataSchema as { properties?: unknown } | null)?.properties;
    if (typeof properties !== 'object' || properties === null) continue;
    for (const [property, definition] of Object.entries(properties)) {
      const type = fieldTypeOfProperty(definition);
      const known = columns.get(property);
      columns.set(property, known === undefined || known === type ? type : 'string');
    }
  }
  return [...columns].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([property, type]) => ({ property, type }));
}

/** The property's value as a typed SQL expression; a value of another JSON type reads as null. */
function dataField(schemaSql: string, property: string, type: FieldType): DatasetField {
  return {
    name: `data.${property}`,
    type,
    sql: (params) => {
      const key = params.param(property);
      const value = `(data -> ${key}::text)`;
      switch (type) {
        case 'number':
          return `(case when jsonb_typeof(${value}) = 'number' then (${value})::text::float8 end)`;
        case 'boolean':
          return `(case when jsonb_typeof(${value}) = 'boolean' then (${value})::text::boolean end)`;
        case 'datetime':
          return `${schemaSql}.try_timestamptz(data ->> ${key}::text)`;
        case 'string[]':
          return `(case when jsonb_typeof(${value}) = 'array' then array(select jsonb_array_elements_text(${value})) end)`;
        case 'string':
          return `(case when jsonb_typeof(${value}) = 'string' then data ->> ${key}::text else (${value})::text end)`;
      }
    },
  };
}

/** The `submissions:<formId>` dataset of one form. */
export function submissionDataset(schema: string, formId: string, versions: readonly PublishedForm[]): DatasetSource {
  const s = quoteIdentifier(schema);
  return {
    name: `${SUBMISSIONS_PREFIX}${formId}`,
    from: `${s}.submissions_view`,
    where: (params) => `form_id = ${params.param(formId)}::uuid`,
    orderBy: 'created_at, id',
    fields: [
      ...tableFields({ id: 'uuid', formId: 'uuid', version: 'integer', state: 'text', submittedBy: 'uuid', createdAt: 'timestamptz', updatedAt: 'timestamptz' }),
      ...dataColumnsOf(versions).map(({ property, type }) => dataField(s, property, type)),
    ],
  };
}
