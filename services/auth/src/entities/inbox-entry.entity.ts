import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';

/** Events already handled, per consumer: redelivered events are recognised and skipped. */
export const InboxEntry = defineEntity({
  name: 'InboxEntry',
  tableName: 'inbox',
  properties: {
    consumer: p.text().primary(),
    eventId: p.uuid().primary(),
    processedAt: p.datetime(),
  },
});

export type InboxEntryRow = InferEntity<typeof InboxEntry>;
