import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';

/** The tenant's settings document (one row); reads and writes go through plain SQL in SettingsService. */
export const SettingsEntity = defineEntity({
  name: 'Settings',
  tableName: 'settings',
  properties: {
    id: p.smallint().primary(),
    version: p.integer(),
    document: p.json<Record<string, unknown>>(),
    updatedAt: p.datetime().columnType('timestamptz').fieldName('updated_at'),
    updatedBy: p.text().nullable().fieldName('updated_by'),
  },
});

export type SettingsEntityType = InferEntity<typeof SettingsEntity>;
