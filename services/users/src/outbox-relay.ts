import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventName } from '@np/contracts';
import type { EventEnvelope, Transport } from '@np/messaging';
import type { Logger } from '@np/observability';
import { type Database, quoteIdentifier } from '@np/persistence';
import type { OutboxSignal } from './outbox-signal.js';

export interface OutboxRelayOptions {
  db: Database;
  schema: string;
  transport: Transport;
  logger: Logger;
  pollMs?: number;
  batchSize?: number;
}

interface OutboxRow {
  id: string;
  name: string;
  payload: unknown;
  request_id: string | null;
  occurred_at: Date;
}

/**
 * Publishes committed outbox rows in order, at least once: a row is marked published in the same
 * transaction that locked it, after the bus confirmed it. `skip locked` lets replicas share the work.
 * Stand-in until `@np/messaging` ships its own relay.
 */
export class UsersOutboxRelay implements OutboxSignal {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(private readonly options: OutboxRelayOptions) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), this.options.pollMs ?? 1000);
    this.timer.unref();
    this.kick();
  }

  kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Resolves when every row committed before the call has been tried once (for tests and shutdown). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    await this.drain();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (!this.closed && (await this.publishBatch()) === this.batchSize()) {
        // a full batch means more may be waiting
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'outbox relay failed, will retry');
    }
  }

  private publishBatch(): Promise<number> {
    const em = this.options.db.em.fork() as EntityManager;
    const table = `${quoteIdentifier(this.options.schema)}.outbox`;
    return em.transactional(async (tx) => {
      const rows = await tx.execute<OutboxRow[]>(
        `select id, name, payload, request_id, occurred_at from ${table} where published_at is null order by occurred_at, id limit ? for update skip locked`,
        [this.batchSize()],
      );
      for (const row of rows) {
        await this.options.transport.publish(toEnvelope(row));
        await tx.execute(`update ${table} set published_at = now() where id = ?`, [row.id]);
      }
      return rows.length;
    });
  }

  private batchSize(): number {
    return this.options.batchSize ?? 100;
  }
}

function toEnvelope(row: OutboxRow): EventEnvelope {
  return {
    id: row.id,
    name: row.name as EventName,
    payload: row.payload,
    occurredAt: new Date(row.occurred_at).toISOString(),
    ...(row.request_id === null ? {} : { requestId: row.request_id }),
  };
}
