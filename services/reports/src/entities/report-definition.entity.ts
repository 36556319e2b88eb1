import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';

/** A saved report: its name, dataset and query (filters, grouping, aggregates, time bucket) as JSON. */
export const ReportDefinitionEntity = defineEntity({
  name: 'ReportDefinition',
  tableName: 'report_definitions',
  properties: {
    id: p.uuid().primary(),
    name: p.text(),
    dataset: p.text(),
    query: p.json<Record<string, unknown>>(),
    ownerId: p.uuid().fieldName('owner_id'),
    createdAt: p.datetime().columnType('timestamptz').fieldName('created_at'),
    updatedAt: p.datetime().columnType('timestamptz').fieldName('updated_at'),
  },
});

export type ReportDefinitionEntityType = InferEntity<typeof ReportDefinitionEntity>;
