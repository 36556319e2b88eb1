import { quoteSchema, type WithTransaction } from './sql.js';

export interface PruneOutcome {
  /** True when another replica was sweeping this schema, so this one left it alone. */
  skipped: boolean;
  /** Published outbox rows deleted. */
  outbox: number;
  /** Inbox rows deleted. */
  inbox: number;
}

export interface PruneOptions {
  withTransaction: WithTransaction;
  schema: string;
  /** Published outbox rows and inbox rows older than this go. */
  retentionHours: number;
  /** Rows deleted per statement (and per transaction), so a large first sweep never holds long locks. */
  batchSize?: number;
  /** Checked between batches: a relay that stops ends its sweep there. */
  shouldContinue?: () => boolean;
}

/** Two-key advisory lock: one namespace for the sweep, one key per schema. */
const LOCK = `pg_try_advisory_xact_lock(hashtext('np.outbox.prune'), hashtext($1)) as locked`;

/**
 * Deletes published outbox rows (`published_at` older than the retention) and inbox rows
 * (`processed_at` older than it). Unpublished outbox rows are never touched, whatever their age.
 * Each batch takes a transaction-level advisory lock first: when another replica holds it, this
 * sweep stops at once (`skipped`), so replicas never sweep one schema together. An inbox row
 * that goes lets an event that old be handled again: keep the retention longer than any
 * redelivery can take (broker retries, an outage of a consumer).
 */
export async function pruneOutboxAndInbox(options: PruneOptions): Promise<PruneOutcome> {
  const schema = quoteSchema(options.schema);
  const batchSize = options.batchSize ?? 1000;
  const outcome: PruneOutcome = { skipped: false, outbox: 0, inbox: 0 };
  const statements = {
    outbox: `with gone as (
        delete from ${schema}.outbox where id in (
          select id from ${schema}.outbox where published_at < now() - $1::double precision * interval '1 hour' limit $2)
        returning 1)
      select count(*)::int as n from gone`,
    inbox: `with gone as (
        delete from ${schema}.inbox where (consumer, event_id) in (
          select consumer, event_id from ${schema}.inbox where processed_at < now() - $1::double precision * interval '1 hour' limit $2)
        returning 1)
      select count(*)::int as n from gone`,
  } as const;
  for (const table of ['outbox', 'inbox'] as const) {
    for (;;) {
      const deleted = await options.withTransaction(async (query) => {
        const [lock] = await query(`select ${LOCK}`, [options.schema]);
        if (lock?.locked !== true) return undefined;
        const [row] = await query(statements[table], [options.retentionHours, batchSize]);
        return Number(row?.n ?? 0);
      });
      if (deleted === undefined) return { ...outcome, skipped: true };
      outcome[table] += deleted;
      if (options.shouldContinue?.() === false) return outcome;
      if (deleted < batchSize) break;
    }
  }
  return outcome;
}
