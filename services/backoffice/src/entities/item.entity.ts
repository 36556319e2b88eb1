import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';

/** An item of the example resource; the table lives in the service's own schema (set by `openDatabase`). */
export const ItemEntity = defineEntity({
  name: 'Item',
  tableName: 'items',
  properties: {
    id: p.uuid().primary(),
    name: p.text(),
    createdBy: p.uuid().fieldName('created_by'),
    createdAt: p.datetime().columnType('timestamptz').fieldName('created_at'),
  },
});

export type ItemEntityType = InferEntity<typeof ItemEntity>;
