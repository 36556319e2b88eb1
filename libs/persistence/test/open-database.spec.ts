import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { defineEntity, p } from '@mikro-orm/postgresql';
import { type Database, openDatabase, ormScope, sqlMigration } from '@np/persistence';
import { testDatabaseUrl, uniqueName } from '@np/testing';

const Note = defineEntity({
  name: 'Note',
  tableName: 'notes',
  properties: {
    id: p.uuid().primary(),
    text: p.string(),
  },
});

describe('openDatabase (real PostgreSQL)', () => {
  const schema = uniqueName('persistence');
  let db: Database;

  beforeAll(async () => {
    db = await openDatabase({
      url: testDatabaseUrl(),
      schema,
      entities: [Note],
      migrations: [sqlMigration('0001_notes', [`create table "${schema}".notes (id uuid primary key, text text not null)`])],
    });
  });

  afterAll(async () => {
    await db.em.fork().getConnection().execute(`drop schema "${schema}" cascade`);
    await db.close();
  });

  it('creates the schema, applies migrations and maps entities', async () => {
    await ormScope(db)(async () => {
      const em = db.em.fork();
      em.create(Note, { id: '0b4e1d1e-3a8e-4c43-9d8e-2f9b7f2f6a11', text: 'hello' });
      await em.flush();
    });
    const found = await db.em.fork().findOneOrFail(Note, { id: '0b4e1d1e-3a8e-4c43-9d8e-2f9b7f2f6a11' });
    expect(found.text).toBe('hello');
  });

  it('applies each migration once', async () => {
    const pending = await db.migrator.getPending();
    expect(pending).toHaveLength(0);
  });
});
