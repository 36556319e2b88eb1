import type pg from 'pg';

/** How long a holder gets to release a connection the server dropped before the pool takes it back. */
const HOLDER_GRACE_MS = 1000;

/**
 * Kysely (under MikroORM) does not hand a transaction's connection back to the pool when its
 * ROLLBACK fails (kysely-org/kysely#1990), and a ROLLBACK always fails on a connection the server
 * dropped: every transaction in flight during a database restart would keep a pool slot forever,
 * until the pool is exhausted and the service answers 503 with the database long back. So a
 * client whose connection ended while checked out, and that its holder has not released shortly
 * after, is released here, as broken, which makes the pool discard it and open a fresh one.
 * (Holders that do release, as every query outside a transaction does, do so at once.)
 */
export function releaseDeadConnections(pool: pg.Pool): void {
  const checkedOut = new Set<pg.PoolClient>();
  pool.on('acquire', (client) => checkedOut.add(client));
  pool.on('release', (_error, client) => checkedOut.delete(client));
  pool.on('remove', (client) => checkedOut.delete(client));
  pool.on('connect', (client) => {
    client.once('end', () => {
      if (!checkedOut.has(client)) return;
      setTimeout(() => {
        if (!checkedOut.delete(client)) return;
        client.release(new Error('the connection ended while checked out'));
      }, HOLDER_GRACE_MS);
    });
  });
}
