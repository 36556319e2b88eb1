import { afterAll, describe, expect, it } from '@jest/globals';
import { defineEntity, p } from '@mikro-orm/postgresql';
import { Controller, type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { BusClient, InProcessTransport, type OutboxSignal } from '@np/messaging';
import { USERS_CONTRACTS } from '@np/users/contracts';
import { createLogger } from '@np/observability';
import { type Database, quoteIdentifier, sqlMigration } from '@np/persistence';
import { testDatabaseUrl, testTokens, uniqueName } from '@np/testing';
import pg from 'pg';
import { createServiceDeps, type ModuleOutboxRelay, OUTBOX, startModuleService, type StartModuleServiceOptions } from '../src/index.js';

// startModuleService against the real PostgreSQL and the in-process bus, with a one-pattern module.
const NoteEntity = defineEntity({ name: 'Note', tableName: 'notes', properties: { id: p.integer().primary() } });
const schemas: string[] = [];
const logger = createLogger({ service: 'module-kit-test', level: 'silent' });

@Controller()
class PingHandlers {
  constructor(@Inject(OUTBOX) private readonly outbox: OutboxSignal) {}

  @MessagePattern('users.identity.by-id')
  ping(): { id: string; email: string; displayName: string; roles: [] } {
    this.outbox.kick();
    return { id: '00000000-0000-4000-8000-000000000000', email: 'ping@example.com', displayName: 'Ping', roles: [] };
  }
}

function pingModule(outbox: OutboxSignal, order: string[]): DynamicModule {
  @Module({})
  class PingModule implements OnApplicationShutdown {
    onApplicationShutdown(): void {
      order.push('app');
    }
  }
  return { module: PingModule, controllers: [PingHandlers], providers: [{ provide: OUTBOX, useValue: outbox }] };
}

function recordingRelay(order: string[]): ModuleOutboxRelay & { kicks: number } {
  return {
    kicks: 0,
    start: () => order.push('relay started'),
    stop: () => {
      order.push('relay');
      return Promise.resolve();
    },
    kick() {
      this.kicks += 1;
    },
  };
}

async function setup(overrides: Partial<StartModuleServiceOptions> = {}) {
  const schema = uniqueName('module_kit');
  schemas.push(schema);
  const transport = new InProcessTransport();
  await transport.start();
  const tokens = await testTokens();
  const settings = { LOG_LEVEL: 'silent', NP_TENANT: 'default', NP_RPC_TIMEOUT_MS: 5000, NP_ISSUER: 'test', NP_AUDIENCE: 'test', NP_JWKS_URL: '' };
  const deps = createServiceDeps('users', settings, transport, { logger, verifier: tokens.verifier });
  const order: string[] = [];
  let opened: Database | undefined;
  const options: StartModuleServiceOptions = {
    name: 'users',
    contracts: USERS_CONTRACTS,
    deps,
    database: {
      url: testDatabaseUrl(),
      schema,
      entities: [NoteEntity],
      migrations: [sqlMigration('0001_notes', [`create table ${quoteIdentifier(schema)}.notes (id integer primary key)`])],
    },
    appModule: ({ db, outbox }) => {
      opened = db;
      return pingModule(outbox, order);
    },
    ...overrides,
  };
  const ping = () => new BusClient(transport, 5000, 'auth').call('users.identity.by-id', { id: '00000000-0000-4000-8000-000000000000' });
  return { schema, transport, options, order, ping, opened: () => opened };
}

async function tables(schema: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    const rows = await client.query<{ table_name: string }>('select table_name from information_schema.tables where table_schema = $1 order by 1', [schema]);
    return rows.rows.map((row) => row.table_name);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  for (const schema of schemas) await client.query(`drop schema if exists ${quoteIdentifier(schema)} cascade`);
  await client.end();
});

describe('startModuleService', () => {
  it('migrates the schema, serves the module on the bus with its relay as the outbox, and closes relay, app, database in that order', async () => {
    const order: string[] = [];
    const relay = recordingRelay(order);
    const kit = await setup({ outboxRelay: () => relay });
    const options = { ...kit.options, appModule: ({ outbox }: { outbox: OutboxSignal }) => pingModule(outbox, order) };
    const service = await startModuleService(options);
    expect(await tables(kit.schema)).toEqual(expect.arrayContaining(['mikro_orm_migrations', 'notes']));
    expect((await kit.ping()).email).toBe('ping@example.com');
    expect(relay.kicks).toBe(1);
    expect(service.checks.map((check) => check.name)).toEqual(['database']);
    expect(await service.checks[0]!.check()).toBe(true);
    await service.close();
    expect(order).toEqual(['relay started', 'relay', 'app']);
    expect(await service.db.isConnected()).toBe(false);
    await kit.transport.close();
  });

  it('runs without a relay for a module that publishes no events', async () => {
    const kit = await setup();
    const service = await startModuleService(kit.options);
    expect((await kit.ping()).email).toBe('ping@example.com');
    await service.close();
    expect(kit.order).toEqual(['app']);
    await kit.transport.close();
  });

  it('stops the relay and closes the database when the start fails', async () => {
    const order: string[] = [];
    const kit = await setup({ outboxRelay: () => recordingRelay(order) });
    let db: Database | undefined;
    const failing = {
      ...kit.options,
      appModule: ({ db: opened }: { db: Database }): DynamicModule => {
        db = opened;
        throw new Error('the module cannot be built');
      },
    };
    await expect(startModuleService(failing)).rejects.toThrow('the module cannot be built');
    expect(order).toEqual(['relay started', 'relay']);
    expect(await db!.isConnected()).toBe(false);
    await kit.transport.close();
  });
});
