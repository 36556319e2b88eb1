import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';

/** A stored file's metadata (table `files` of the service's schema); queries are plain SQL in the repository. */
export const FileEntity = defineEntity({
  name: 'StoredFile',
  tableName: 'files',
  properties: {
    id: p.uuid().primary(),
    objectKey: p.text().fieldName('object_key'),
    name: p.text(),
    folder: p.text(),
    size: p.bigint('number'),
    contentType: p.text().fieldName('content_type'),
    sha256: p.text(),
    public: p.boolean(),
    ownerId: p.uuid().fieldName('owner_id'),
    createdAt: p.datetime().columnType('timestamptz').fieldName('created_at'),
    version: p.integer(),
  },
});

export type FileEntityType = InferEntity<typeof FileEntity>;
