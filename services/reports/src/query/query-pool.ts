import type { Logger } from '@np/observability';
import pg from 'pg';

export const QUERY_POOL = Symbol('QUERY_POOL');

/**
 * The module's own connections for what the ORM does not do: projections written event by event,
 * report queries, and exports that stream rows through a cursor.
 */
export function createQueryPool(url: string, max: number, logger: Logger): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5000 });
  // The server dropping an idle connection (a restart) is an 'error' on the pool: unheard, it
  // would end the process; the pool opens a new connection when one is next needed.
  pool.on('error', (error) => logger.warn({ err: error }, 'an idle reports database connection was dropped'));
  return pool;
}

/**
 * A connection of the pool checked out: the pool stops hearing its errors then, and a
 * connection the server drops mid-statement (a restart) emits 'error' on it, which unheard ends
 * the process. The statement in flight rejects with the same error, so the listener only marks
 * the connection broken, and `release` hands it back to be discarded rather than reused.
 */
export async function checkOut(pool: pg.Pool): Promise<{ client: pg.PoolClient; release: (broken?: boolean) => void }> {
  const client = await pool.connect();
  let dropped = false;
  const onError = (): void => {
    dropped = true;
  };
  client.on('error', onError);
  return {
    client,
    release: (broken = false) => {
      client.removeListener('error', onError);
      client.release(broken || dropped);
    },
  };
}

/** Runs `work` in one transaction on one connection. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const { client, release } = await checkOut(pool);
  let broken = false;
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    release(broken);
  }
}
