import type { INestMicroservice } from '@nestjs/common';
import { OutboxRelay } from '@np/messaging';
import { ormTransactions } from '@np/persistence';
import { defineModuleService, type RunningService, type ServiceDeps, startModuleService } from '@np/runtime';
import { FilesService } from './catalog/files.service.js';
import { FILES_CONTRACTS } from './contracts/index.js';
import { filesEntities } from './entities/index.js';
import { FilesModule } from './files.module.js';
import { type RunningDataServer, startDataServer } from './http/data-server.js';
import { filesMigrations } from './migrations.js';
import { filesSettingsSchema, type FilesSettings } from './settings.js';
import { storageDriverFor } from './storage/storage-choice.js';
import { TusUploads } from './tus/tus-uploads.js';
import { AllowedTypes } from './uploads/content-type-policy.js';

export { filesSettingsSchema, type FilesSettings } from './settings.js';
export { filesMigrations } from './migrations.js';
export type { StorageDriver, ByteRange } from './storage/storage-driver.js';
export { LocalDiskDriver } from './storage/local-disk-driver.js';
export { S3Driver } from './storage/s3-driver.js';
export { createS3Client } from './storage/s3-client.js';

const RECORD_ACQUIRE_TIMEOUT_MS = 5000;

export interface StartFilesServiceOptions {
  deps: ServiceDeps;
  settings: FilesSettings;
}

export interface FilesServiceHandle extends RunningService {
  dataUrl: string;
  /** Deletes expired unfinished uploads now (also done every NP_FILES_UPLOAD_SWEEP_SECONDS). */
  sweepUploads(): Promise<number>;
}

/**
 * Opens the files schema (migrating it) and its storage, serves the metadata patterns on the bus
 * and the byte routes on the data listener (NP_FILES_DATA_PORT).
 */
export async function startFilesService({ deps, settings }: StartFilesServiceOptions): Promise<FilesServiceHandle> {
  const schema = settings.NP_FILES_SCHEMA;
  const storage = storageDriverFor(settings);
  await storage.open();
  const allowed = new AllowedTypes(settings.NP_FILES_ALLOWED_TYPES);
  const logger = deps.logger;
  // The data listener starts before the module consumes from the bus: once files answers there,
  // the gateway may send it uploads.
  const listener: { tus?: TusUploads; data?: RunningDataServer } = {};
  const startListener = async (app: INestMicroservice): Promise<void> => {
    const files = app.get(FilesService);
    const tus = new TusUploads({ settings, files, storage, verifier: deps.verifier, allowed, logger });
    const data = await startDataServer({ settings, files, storage, verifier: deps.verifier, tus, allowed, logger }).catch((error: unknown) => {
      tus.close();
      throw error;
    });
    Object.assign(listener, { tus, data });
  };
  const service = await startModuleService({
    name: 'files',
    contracts: FILES_CONTRACTS,
    deps,
    database: {
      url: settings.NP_DATABASE_URL,
      schema,
      entities: filesEntities,
      migrations: filesMigrations(schema),
      poolMax: settings.NP_DATABASE_POOL_MAX,
      // An upload whose bytes are already stored waits longer for its metadata row than a read
      // would: refusing it then throws the whole transfer away.
      acquireTimeoutMs: RECORD_ACQUIRE_TIMEOUT_MS,
    },
    outboxRelay: (db) => new OutboxRelay({ transport: deps.transport, withTransaction: ormTransactions(db), schema, logger: deps.logger, retentionHours: settings.NP_OUTBOX_RETENTION_HOURS }),
    appModule: ({ db, outbox }) => FilesModule.register({ ...deps, db, settings, outbox, storage }),
    beforeListen: startListener,
  }).catch(async (error: unknown) => {
    listener.tus?.close();
    await listener.data?.close().catch(() => undefined);
    throw error;
  });
  const { tus, data } = listener;
  if (!tus || !data) throw new Error('the files data listener did not start');
  logger.info({ dataUrl: data.url, storage: storage.kind }, 'files data listener up');
  return {
    dataUrl: data.url,
    checks: [...service.checks, { name: 'storage', check: () => storage.isUp() }],
    sweepUploads: () => tus.cleanUp(),
    async close() {
      tus.close();
      await data.close();
      await service.close();
      storage.close();
    },
  };
}

/** How the launchers start files (see `defineModuleService`). */
export const moduleService = defineModuleService({ name: 'files', settingsSchema: filesSettingsSchema, start: startFilesService });
