import { quoteIdentifier } from '@np/persistence';
import type { DatasetSource } from './dataset-source.js';
import { type ColumnSpec, tableFields } from './table-fields.js';

/** The datasets whose columns are fixed, one declaration each: the projection table, its order, its columns as fields. */
const BUILTIN: ReadonlyArray<{ name: string; table: string; orderBy: string; columns: Readonly<Record<string, ColumnSpec>> }> = [
  { name: 'users', table: 'users_view', orderBy: 'created_at, id', columns: { id: 'uuid', email: 'text', displayName: 'text', roles: 'text[]', createdAt: 'timestamptz', updatedAt: 'timestamptz' } },
  { name: 'files', table: 'files_view', orderBy: 'created_at, id', columns: { id: 'uuid', name: 'text', folder: 'text', size: 'bigint', contentType: 'text', public: 'boolean', ownerId: 'uuid', createdAt: 'timestamptz' } },
  {
    name: 'audit',
    table: 'events',
    orderBy: 'occurred_at, id',
    columns: { id: 'uuid', at: ['timestamptz', 'occurred_at'], actor: ['text', 'actor_id'], type: ['text', 'name'], resource: 'text', requestId: 'text' },
  },
];

/** The users, files and audit datasets of the module's schema. */
export function builtinDatasets(schema: string): DatasetSource[] {
  const s = quoteIdentifier(schema);
  return BUILTIN.map(({ name, table, orderBy, columns }) => ({ name, from: `${s}.${table}`, orderBy, fields: tableFields(columns) }));
}
