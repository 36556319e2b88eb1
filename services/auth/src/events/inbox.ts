import type { EntityManager } from '@mikro-orm/postgresql';
import { quoteIdentifier } from '@np/persistence';

/**
 * Records that `consumer` handled `eventId`, inside the caller's transaction; false when it
 * already had, so the caller skips the work. Same contract as the shared outbox library's
 * `consumeOnce`, to switch to it once that exists.
 */
export async function consumeOnce(em: EntityManager, schema: string, consumer: string, eventId: string): Promise<boolean> {
  const inserted = await em.execute<{ event_id: string }[]>(
    `insert into ${quoteIdentifier(schema)}.inbox (consumer, event_id) values (?, ?) on conflict do nothing returning event_id`,
    [consumer, eventId],
  );
  return inserted.length > 0;
}
