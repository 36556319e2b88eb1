import { MemoryLocker } from '@tus/server';
import { ERRORS, type Lock, type Locker, type RequestRelease } from '@tus/utils';
import pg from 'pg';

const POLL_MS = 100;

/**
 * One upload is written by one request at a time across every replica: a PostgreSQL advisory
 * lock on the upload id, held on a connection of its own for as long as the request runs (as
 * Supabase Storage does), behind @tus/server's memory lock, which also asks an earlier request of
 * the same process to let go. A request waits at most `timeoutMs`, then tus answers an error.
 */
export class PostgresLocker implements Locker {
  private readonly memory: MemoryLocker;

  constructor(
    private readonly databaseUrl: string,
    private readonly schema: string,
    private readonly timeoutMs = 30_000,
  ) {
    this.memory = new MemoryLocker({ acquireLockTimeout: timeoutMs });
  }

  newLock(id: string): Lock {
    return new PostgresLock(this.memory.newLock(id), `np:files-upload:${this.schema}:${id}`, this.databaseUrl, this.timeoutMs);
  }
}

class PostgresLock implements Lock {
  private client: pg.Client | undefined;

  constructor(
    private readonly local: Lock,
    private readonly key: string,
    private readonly databaseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async lock(signal: AbortSignal, cancelReq: RequestRelease): Promise<void> {
    await this.local.lock(signal, cancelReq);
    try {
      this.client = await this.acquire(signal);
    } catch (error) {
      await this.local.unlock();
      throw error;
    }
  }

  async unlock(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    try {
      // Ending the session releases its advisory locks, also when the unlock query fails.
      await client?.query('select pg_advisory_unlock(hashtextextended($1, 0))', [this.key]).catch(() => undefined);
      await client?.end().catch(() => undefined);
    } finally {
      await this.local.unlock();
    }
  }

  private async acquire(signal: AbortSignal): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    await client.connect();
    const deadline = Date.now() + this.timeoutMs;
    try {
      for (;;) {
        const result = await client.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtextextended($1, 0)) as locked', [this.key]);
        if (result.rows[0]?.locked === true) return client;
        if (signal.aborted || Date.now() >= deadline) throw Object.assign(new Error('The upload is locked by another request.'), ERRORS.ERR_LOCK_TIMEOUT);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }
}
