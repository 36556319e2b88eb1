import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';

/** A form (table `forms` of the service's schema); queries are plain SQL in the repositories. */
export const FormEntity = defineEntity({
  name: 'Form',
  tableName: 'forms',
  properties: {
    id: p.uuid().primary(),
    name: p.text(),
    status: p.text(),
    createdBy: p.uuid().fieldName('created_by'),
    createdAt: p.datetime().columnType('timestamptz').fieldName('created_at'),
  },
});

export type FormEntityType = InferEntity<typeof FormEntity>;
