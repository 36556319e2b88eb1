import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError } from '@np/contracts';
import { type Database, isDatabaseUnavailable, openDatabase, ormScope, toDatabaseUnavailable } from '@np/persistence';
import { testDatabaseUrl, uniqueName } from '@np/testing';
import pg from 'pg';

// Real connection failures against the test PostgreSQL: a backend terminated under a
// transaction (57P01), a pool that cannot hand out a connection in time, a port nobody listens on.

const schema = uniqueName('unavailable');
const admin = new pg.Client({ connectionString: testDatabaseUrl() });

async function open(options: { poolMax?: number; acquireTimeoutMs?: number } = {}): Promise<Database> {
  return openDatabase({ url: testDatabaseUrl(), schema, entities: [], migrations: [], ...options });
}

async function expectDatabaseUnavailable(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  expect(error).toMatchObject({ code: 'database_unavailable', status: 503 });
}

beforeAll(async () => {
  await admin.connect();
});

afterAll(async () => {
  await admin.query(`drop schema if exists "${schema}" cascade`);
  await admin.end();
});

/** A handler whose transaction loses its connection: the server terminates the backend (57P01) under it. */
const cutOffTransaction = (db: Database) => () =>
  db.em.fork().transactional(async (em) => {
    const [row] = await em.execute<{ pid: number }[]>('select pg_backend_pid() as pid');
    await admin.query('select pg_terminate_backend($1)', [row!.pid]);
    return em.execute('select 1');
  });

describe('database outages through ormScope (real PostgreSQL)', () => {
  let db: Database;

  beforeAll(async () => {
    db = await open({ poolMax: 2 });
  });

  afterAll(async () => {
    await db.close();
  });

  it('answers database_unavailable when the server terminates the connection under a handler, and recovers', async () => {
    await expectDatabaseUnavailable(ormScope(db)(cutOffTransaction(db)));

    await expect(ormScope(db)(() => db.em.fork().execute('select 1 as one'))).resolves.toEqual([{ one: 1 }]);
  });

  it('leaves errors of the query itself as they are', async () => {
    const error = await ormScope(db)(() => db.em.fork().execute('select * from no_such_table')).catch((caught: unknown) => caught);
    expect(error).not.toBeInstanceOf(AppError);
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('a pool whose transactions are cut off by the server (real PostgreSQL)', () => {
  it('gets every connection back, so a pool of one still serves after several cut-off transactions', async () => {
    // Long enough for a cut-off transaction's connection to be taken back (see release-dead-connections.ts).
    const db = await open({ poolMax: 1, acquireTimeoutMs: 5000 });
    try {
      for (let round = 0; round < 3; round += 1) await expectDatabaseUnavailable(ormScope(db)(cutOffTransaction(db)));
      await expect(ormScope(db)(() => db.em.fork().execute('select 1 as one'))).resolves.toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });
});

describe('a pool that cannot hand out a connection in time (real PostgreSQL)', () => {
  it('answers database_unavailable once the acquire timeout passes, then serves again', async () => {
    const db = await open({ poolMax: 1, acquireTimeoutMs: 200 });
    try {
      let release: () => void = () => undefined;
      let holding: () => void = () => undefined;
      const connectionTaken = new Promise<void>((resolve) => (holding = resolve));
      const held = db.em.fork().transactional(async (em) => {
        await em.execute('select 1');
        const released = new Promise<void>((resolve) => (release = resolve));
        holding();
        await released;
      });
      await connectionTaken;
      try {
        await expectDatabaseUnavailable(ormScope(db)(() => db.em.fork().execute('select 1')));
      } finally {
        release();
        await held;
      }
      await expect(ormScope(db)(() => db.em.fork().execute('select 1 as one'))).resolves.toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });
});

describe('a server that is not there', () => {
  it('is recognised as unavailable (connection refused)', async () => {
    const closed = new URL(testDatabaseUrl());
    closed.port = '1';
    const error = await openDatabase({ url: closed.toString(), schema, entities: [], migrations: [] }).catch((caught: unknown) => caught);
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(toDatabaseUnavailable(error)).toMatchObject({ code: 'database_unavailable' });
  });
});
