import type { EntityManager } from '@mikro-orm/postgresql';
import { consumeOnce } from '@np/messaging';
import { type Database, emSqlQuery } from '@np/persistence';

/**
 * Runs `work` for an event in one transaction with its inbox row, so a redelivered event (same
 * id) is skipped and a failed one leaves no trace. Answers false when it had been handled.
 */
export function handleOnce(db: Database, schema: string, consumer: string, eventId: string, work: (em: EntityManager) => Promise<void>): Promise<boolean> {
  return db.em.fork().transactional(async (em) => {
    if (!(await consumeOnce(emSqlQuery(em), schema, consumer, eventId))) return false;
    await work(em);
    return true;
  });
}
