import { quoteIdentifier } from '@np/persistence';
import type { FieldType } from '../contracts/index.js';
import type { DatasetField, DatasetSource } from './dataset-source.js';

function column(name: string, type: FieldType, columnName: string, cast = ''): DatasetField {
  const sql = `${quoteIdentifier(columnName)}${cast}`;
  return { name, type, sql: () => sql };
}

/** The datasets whose columns are fixed: the users, files and audit projections. */
export function builtinDatasets(schema: string): DatasetSource[] {
  const s = quoteIdentifier(schema);
  return [
    {
      name: 'users',
      from: `${s}.users_view`,
      orderBy: 'created_at, id',
      fields: [
        column('id', 'string', 'id', '::text'),
        column('email', 'string', 'email'),
        column('displayName', 'string', 'display_name'),
        column('roles', 'string[]', 'roles'),
        column('createdAt', 'datetime', 'created_at'),
        column('updatedAt', 'datetime', 'updated_at'),
      ],
    },
    {
      name: 'files',
      from: `${s}.files_view`,
      orderBy: 'created_at, id',
      fields: [
        column('id', 'string', 'id', '::text'),
        column('name', 'string', 'name'),
        column('folder', 'string', 'folder'),
        column('size', 'number', 'size', '::float8'),
        column('contentType', 'string', 'content_type'),
        column('public', 'boolean', 'public'),
        column('ownerId', 'string', 'owner_id', '::text'),
        column('createdAt', 'datetime', 'created_at'),
      ],
    },
    {
      name: 'audit',
      from: `${s}.events`,
      orderBy: 'occurred_at, id',
      fields: [
        column('id', 'string', 'id', '::text'),
        column('at', 'datetime', 'occurred_at'),
        column('actor', 'string', 'actor_id'),
        column('type', 'string', 'name'),
        column('resource', 'string', 'resource'),
        column('requestId', 'string', 'request_id'),
      ],
    },
  ];
}
