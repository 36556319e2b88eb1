import { eventResource, type EventEnvelope } from '@np/messaging';
import type { Logger } from '@np/observability';
import { quoteIdentifier } from '@np/persistence';
import type pg from 'pg';
import { inTransaction } from '../query/query-pool.js';
import { acceptStreamEvent } from './accept-stream-event.js';
import { Projector } from './projector.js';

const REPLAY_BATCH = 1000;

/**
 * The module's copy of the event stream: every accepted event is kept once (by id) and applied
 * to the projections in the same transaction, so an event delivered twice counts once and the
 * projections can be rebuilt from the start of the stream.
 */
export class EventStream {
  private readonly s: string;
  private readonly projector: Projector;

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
    private readonly logger: Logger,
  ) {
    this.s = quoteIdentifier(schema);
    this.projector = new Projector(schema);
  }

  /** Records and projects one delivered event; answers false when it was not taken (a duplicate or refused). */
  async record(event: EventEnvelope): Promise<boolean> {
    const verdict = acceptStreamEvent(event);
    if (!verdict.accepted) {
      // It can never succeed: log it and drop it rather than retry forever.
      this.logger.error({ event: event.name, eventId: event.id, publisher: event.publisher, reason: verdict.reason }, 'dropping event');
      return false;
    }
    return inTransaction(this.pool, async (client) => {
      const inserted = await client.query(
        `insert into ${this.s}.events (id, name, payload, occurred_at, request_id, actor_id, resource) values ($1, $2, $3, $4, $5, $6, $7) on conflict (id) do nothing`,
        [event.id, event.name, JSON.stringify(verdict.payload), event.occurredAt, event.requestId ?? null, event.actorId ?? null, eventResource({ name: event.name, payload: verdict.payload }) ?? null],
      );
      if (inserted.rowCount === 0) return false;
      await this.projector.apply((sql, params) => client.query(sql, params), event.name, verdict.payload);
      return true;
    });
  }

  /** Empties the projections and replays every kept event in stream order, in one transaction (readers see the old state until it commits). */
  async rebuild(): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      await client.query(`truncate ${this.projector.tables.join(', ')}`);
      let replayed = 0;
      let after: { at: Date; id: string } | undefined;
      for (;;) {
        const batch = await client.query<{ id: string; name: string; payload: unknown; occurred_at: Date }>(
          `select id, name, payload, occurred_at from ${this.s}.events ${after ? 'where (occurred_at, id) > ($2, $3)' : ''} order by occurred_at, id limit $1`,
          after ? [REPLAY_BATCH, after.at, after.id] : [REPLAY_BATCH],
        );
        for (const row of batch.rows) await this.projector.apply((sql, params) => client.query(sql, params), row.name, row.payload);
        replayed += batch.rows.length;
        const last = batch.rows.at(-1);
        if (!last || batch.rows.length < REPLAY_BATCH) return replayed;
        after = { at: last.occurred_at, id: last.id };
      }
    });
  }
}
