import { quoteIdentifier } from '@np/persistence';
import type { FieldType } from '../contracts/index.js';
import type { DatasetField } from './dataset-source.js';

/** The PostgreSQL type of a projection column a dataset reads. */
export type ColumnType = 'uuid' | 'text' | 'text[]' | 'bigint' | 'integer' | 'boolean' | 'timestamptz';

/** A field read straight from a column: the column's type, and its name when it is not the field's in snake case. */
export type ColumnSpec = ColumnType | readonly [ColumnType, string];

/** How a column of each type reads as a field: its field type and the cast that makes it one. */
const AS_FIELD: Record<ColumnType, { type: FieldType; cast: string }> = {
  uuid: { type: 'string', cast: '::text' },
  text: { type: 'string', cast: '' },
  'text[]': { type: 'string[]', cast: '' },
  bigint: { type: 'number', cast: '::float8' },
  integer: { type: 'number', cast: '::float8' },
  boolean: { type: 'boolean', cast: '' },
  timestamptz: { type: 'datetime', cast: '' },
};

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/**
 * The fields of a dataset from one declaration of its columns, in declaration order: each
 * field's type and SQL expression (a quoted column, cast) follow from the column's type.
 */
export function tableFields(columns: Readonly<Record<string, ColumnSpec>>): DatasetField[] {
  return Object.entries(columns).map(([name, spec]) => {
    const [columnType, column] = typeof spec === 'string' ? [spec, snakeCase(name)] : spec;
    const { type, cast } = AS_FIELD[columnType];
    const sql = `${quoteIdentifier(column)}${cast}`;
    return { name, type, sql: () => sql, ...(columnType === 'uuid' ? { plainText: true } : {}) };
  });
}
