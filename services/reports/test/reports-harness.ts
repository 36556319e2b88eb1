import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FilesServiceHandle, filesSettingsSchema, startFilesService } from '@np/files';
import type { EventName } from '@np/contracts';
import { BusClient, type EventEnvelope, InProcessTransport } from '@np/messaging';
import { createLogger } from '@np/observability';
import { quoteIdentifier } from '@np/persistence';
import { createServiceDeps } from '@np/runtime';
import { testDatabaseUrl, testTokens, uniqueName, type TestTokens } from '@np/testing';
import pg from 'pg';
import { type ReportsServiceHandle, reportsSettingsSchema, startReportsService } from '../src/index.js';

export interface ReportsUnderTest {
  transport: InProcessTransport;
  service: ReportsServiceHandle;
  client: BusClient;
  tokens: TestTokens;
  schema: string;
  sql: pg.Pool;
  /** The files module beside it (exports land there), when asked for. */
  files?: FilesServiceHandle;
  filesSchema: string;
  /** Publishes events and waits until reports has handled them all. */
  deliver(...events: EventEnvelope[]): Promise<void>;
  close(): Promise<void>;
}

/** An event as a module's outbox would publish it. */
export function event(name: string, payload: unknown, extra: Partial<EventEnvelope> = {}): EventEnvelope {
  return { id: randomUUID(), name: name as EventName, payload, occurredAt: new Date().toISOString(), ...extra };
}

/** The reports service against the real PostgreSQL, on the in-process bus, called as the gateway would. */
export async function startReportsUnderTest(env: Record<string, string> = {}, options: { withFiles?: boolean; schema?: string; filesSchema?: string } = {}): Promise<ReportsUnderTest> {
  // A replica of another instance shares its schemas.
  const schema = options.schema ?? uniqueName('reports_test');
  const transport = new InProcessTransport();
  await transport.start();
  const tokens = await testTokens();
  const filesSchema = options.filesSchema ?? uniqueName('files_test');
  const dataDir = mkdtempSync(join(tmpdir(), 'np-reports-files-'));
  let files: FilesServiceHandle | undefined;
  if (options.withFiles) {
    const filesSettings = filesSettingsSchema.parse({ LOG_LEVEL: 'silent', NP_DATABASE_URL: testDatabaseUrl(), NP_FILES_SCHEMA: filesSchema, NP_FILES_STORAGE: 'local', NP_DATA_DIR: dataDir, NP_FILES_DATA_PORT: '0', ...env });
    const filesDeps = createServiceDeps('files', filesSettings, transport, { logger: createLogger({ service: 'files-test', level: 'silent' }), verifier: tokens.verifier });
    files = await startFilesService({ deps: filesDeps, settings: filesSettings });
  }
  const settings = reportsSettingsSchema.parse({ LOG_LEVEL: 'silent', NP_DATABASE_URL: testDatabaseUrl(), NP_REPORTS_SCHEMA: schema, ...(files ? { NP_FILES_URL: files.dataUrl } : {}), ...env });
  const deps = createServiceDeps('reports', settings, transport, { logger: createLogger({ service: 'reports-test', level: 'silent' }), verifier: tokens.verifier });
  const service = await startReportsService({ deps, settings });
  const sql = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2 });
  const client = new BusClient(transport, 10_000, 'gateway');
  const deliver = async (...events: EventEnvelope[]): Promise<void> => {
    for (const envelope of events) await transport.publish(envelope);
    await transport.drain();
  };
  return {
    transport,
    service,
    client,
    tokens,
    schema,
    sql,
    ...(files ? { files } : {}),
    filesSchema,
    deliver,
    async close() {
      await service.close();
      await files?.close();
      await transport.close();
      await sql.query(`drop schema if exists ${quoteIdentifier(schema)} cascade`);
      await sql.query(`drop schema if exists ${quoteIdentifier(filesSchema)} cascade`);
      await sql.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
