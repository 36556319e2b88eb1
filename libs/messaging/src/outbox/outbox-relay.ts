import type { EventName } from '@np/contracts';
import type { Logger } from '@np/observability';
import type { EventEnvelope } from '../envelopes.js';
import type { Transport } from '../transport.js';
import { type PruneOutcome, pruneOutboxAndInbox } from './retention.js';
import { quoteSchema, type WithTransaction } from './sql.js';

export interface OutboxRelayOptions {
  transport: Transport;
  /**
   * Each batch runs in one transaction: the rows it claims stay locked (`FOR UPDATE SKIP
   * LOCKED`) until they are marked published, so a second relay (another replica) skips them
   * instead of publishing them again, and a relay that dies mid-batch releases them by rollback.
   */
  withTransaction: WithTransaction;
  schema: string;
  logger: Logger;
  pollIntervalMs?: number;
  batchSize?: number;
  /**
   * Published outbox rows and inbox rows older than this are deleted (default 168 h, a week;
   * services pass `NP_OUTBOX_RETENTION_HOURS`). Unpublished rows always stay.
   */
  retentionHours?: number;
  /** How often the relay sweeps them (default 5 min; one replica at a time, see `pruneOutboxAndInbox`). */
  pruneIntervalMs?: number;
}

/** Wakes the relay after a commit, so events leave now rather than at the next poll. */
export interface OutboxSignal {
  kick(): void;
}

const DEFAULT_RETENTION_HOURS = 168;
const DEFAULT_PRUNE_INTERVAL_MS = 5 * 60_000;

interface BatchOutcome {
  claimed: number;
  failed: boolean;
}

/**
 * Publishes the events services wrote to their outbox, after the fact and at least once: a row
 * is marked published only after the broker confirmed it, so a crash between the two publishes
 * it again (consumers are idempotent by event id). Publishing stops at the first failure (broker
 * down) and resumes on the next tick.
 */
export class OutboxRelay implements OutboxSignal {
  private readonly table: string;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private started = false;
  private kicked = false;
  /** Set by stop(): a sweep in progress ends after its current batch. */
  private stopping = false;
  /** When the next sweep of old rows is due; the first tick sweeps. */
  private nextPruneAt = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.table = `${quoteSchema(options.schema)}.outbox`;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.batchSize = options.batchSize ?? 100;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    this.schedule(0);
  }

  /** Stops polling and waits for the batch in progress, so nothing is left half done. */
  async stop(): Promise<void> {
    this.started = false;
    this.stopping = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Asks for a batch soon (services call it after committing); many kicks make one batch. */
  kick(): void {
    if (!this.started) return;
    if (this.running) this.kicked = true;
    else this.schedule(0);
  }

  /** Publishes until the outbox is empty or publishing fails; for tests and for shutdown. */
  async flush(): Promise<void> {
    await this.running;
    await this.drain();
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref(); // the relay alone must not keep a process alive
  }

  /**
   * Deletes published outbox rows and inbox rows past the retention now (the relay also does it
   * every `pruneIntervalMs`); `skipped` when another replica is sweeping this schema.
   */
  prune(): Promise<PruneOutcome> {
    return pruneOutboxAndInbox({
      withTransaction: this.options.withTransaction,
      schema: this.options.schema,
      retentionHours: this.options.retentionHours ?? DEFAULT_RETENTION_HOURS,
      shouldContinue: () => !this.stopping,
    });
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (!this.started || this.running) return;
    this.running = this.drain().then(() => this.pruneIfDue());
    await this.running;
    this.running = undefined;
    if (!this.started) return;
    this.schedule(this.kicked ? 0 : this.pollIntervalMs);
    this.kicked = false;
  }

  /** Never throws: the timer calls it, and a database outage is retried on the next tick. */
  private async drain(): Promise<void> {
    try {
      for (;;) {
        const { claimed, failed } = await this.runBatch();
        if (failed || claimed < this.batchSize || !this.started) return;
      }
    } catch (error) {
      this.options.logger.error({ err: error, schema: this.options.schema }, 'outbox batch failed; retrying on the next tick');
    }
  }

  /** Never throws either: a failed sweep is logged and tried again at the next interval. */
  private async pruneIfDue(): Promise<void> {
    if (!this.started || Date.now() < this.nextPruneAt) return;
    this.nextPruneAt = Date.now() + (this.options.pruneIntervalMs ?? DEFAULT_PRUNE_INTERVAL_MS);
    try {
      const outcome = await this.prune();
      if (outcome.outbox + outcome.inbox > 0) this.options.logger.info({ schema: this.options.schema, ...outcome }, 'old outbox and inbox rows pruned');
    } catch (error) {
      this.options.logger.warn({ err: error, schema: this.options.schema }, 'outbox prune failed; retrying at the next interval');
    }
  }

  private runBatch(): Promise<BatchOutcome> {
    return this.options.withTransaction(async (query) => {
      const rows = await query(
        // occurred_at as JSON text: ISO 8601 whatever the driver does with timestamps (MikroORM's raw
        // execute hands PostgreSQL's own text form through, which is not ISO 8601) and whatever DateStyle.
        `select id, name, payload, request_id, actor_id, to_json(occurred_at) #>> '{}' as occurred_at_iso from ${this.table}
         where published_at is null order by occurred_at, id limit $1 for update skip locked`,
        [this.batchSize],
      );
      const published = await this.publishAll(rows.map(toEvent));
      if (published.length > 0) {
        await query(`update ${this.table} set published_at = now() where id = any($1::uuid[])`, [published]);
      }
      return { claimed: rows.length, failed: published.length < rows.length };
    });
  }

  /**
   * Publishes in parallel (the channel still sends them in order, and confirms pipeline) and
   * returns the ids the broker confirmed; the rest stay unpublished for the next tick.
   */
  private async publishAll(events: EventEnvelope[]): Promise<string[]> {
    const outcomes = await Promise.allSettled(events.map((event) => this.options.transport.publish(event)));
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) {
      this.options.logger.warn({ err: failure.reason, schema: this.options.schema }, 'outbox publish failed; will retry');
    }
    return events.filter((_event, index) => outcomes[index]?.status === 'fulfilled').map((event) => event.id);
  }
}

function toEvent(row: Record<string, unknown>): EventEnvelope {
  const occurredAt = new Date(String(row.occurred_at_iso)).toISOString();
  const event: EventEnvelope = { id: String(row.id), name: String(row.name) as EventName, payload: row.payload, occurredAt };
  if (typeof row.request_id === 'string') event.requestId = row.request_id;
  if (typeof row.actor_id === 'string') event.actorId = row.actor_id;
  return event;
}
