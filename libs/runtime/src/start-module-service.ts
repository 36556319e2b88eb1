import type { DynamicModule, INestMicroservice } from '@nestjs/common';
import type { ModuleContracts } from '@np/contracts';
import type { OutboxSignal } from '@np/messaging';
import type { ReadinessCheck } from '@np/observability';
import { type Database, type DatabaseOptions, isDatabaseUp, openDatabase, ormScope } from '@np/persistence';
import type { RunningService } from './run-distributed.js';
import type { ServiceDeps } from './service-deps.js';
import { startBusService } from './start-bus-service.js';

/** What `startModuleService` needs of an outbox relay (`OutboxRelay` of `@np/messaging`). */
export interface ModuleOutboxRelay extends OutboxSignal {
  start(): void;
  stop(): Promise<void>;
}

export interface StartModuleServiceOptions {
  /** Its bus identity: the consumer name of its event queues, the user it connects as. */
  name: string;
  /** The contracts it answers (`<package>/contracts`): the patterns it serves, checked against its handlers. */
  contracts: ModuleContracts;
  deps: ServiceDeps;
  /** The module's own schema, entities and migrations (applied on start). */
  database: Omit<DatabaseOptions, 'logger'>;
  /** Modules that publish events: their relay, built around the opened database. */
  outboxRelay?: (db: Database) => ModuleOutboxRelay;
  /** The module's Nest module, given the opened database and the signal to wake its relay after a commit. */
  appModule: (opened: { db: Database; outbox: OutboxSignal }) => DynamicModule;
  /** See `StartBusServiceOptions.beforeListen`. */
  beforeListen?: (app: INestMicroservice) => Promise<void>;
}

export interface ModuleService extends RunningService {
  app: INestMicroservice;
  db: Database;
  checks: ReadinessCheck[];
  /** Stops the relay, then the app, then closes the database. */
  close(): Promise<void>;
}

/** A module without events still gets a signal to hand its services; nothing listens to it. */
const NO_OUTBOX: OutboxSignal = { kick: () => undefined };

/**
 * Starts a module service the one way every module does: open its schema (migrating it), start
 * its outbox relay when it publishes events, serve its Nest module on the bus with a
 * request-scoped identity map per handler, and report the database for `/readyz`. A failed
 * start closes what it opened. Whoever runs the service stops consumption first (the
 * distributed `main` closes the transport, the embedded launcher drains it); `close()` then
 * stops the relay (committed events not yet published stay in the outbox for the next start),
 * the app, and last the database they both use.
 */
export async function startModuleService(options: StartModuleServiceOptions): Promise<ModuleService> {
  const { deps } = options;
  const db = await openDatabase({ ...options.database, logger: deps.logger });
  let relay: ModuleOutboxRelay | undefined;
  try {
    relay = options.outboxRelay?.(db);
    relay?.start();
    const app = await startBusService({
      name: options.name,
      module: options.contracts.module,
      appModule: options.appModule({ db, outbox: relay ?? NO_OUTBOX }),
      deps,
      scope: ormScope(db),
      beforeListen: options.beforeListen,
    });
    const started = relay;
    return {
      app,
      db,
      checks: [{ name: 'database', check: () => isDatabaseUp(db) }],
      async close() {
        await started?.stop();
        await app.close();
        await db.close();
      },
    };
  } catch (error) {
    await relay?.stop().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw error;
  }
}
