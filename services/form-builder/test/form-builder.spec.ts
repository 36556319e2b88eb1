import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError } from '@np/contracts';
import { BusClient, InProcessTransport } from '@np/messaging';
import { createLogger } from '@np/observability';
import { createServiceDeps, type RunningService } from '@np/runtime';
import { testDatabaseUrl, testTokens, uniqueName, type TestTokens } from '@np/testing';
import pg from 'pg';
import { quoteIdentifier } from '@np/persistence';
import { formBuilderSettingsSchema, startFormBuilderService } from '../src/index.js';

// The form-builder service against the real PostgreSQL, on the in-process bus, called as the gateway would.
const schema = uniqueName('form_builder_test');
let transport: InProcessTransport;
let service: RunningService;
let tokens: TestTokens;
let client: BusClient;

beforeAll(async () => {
  transport = new InProcessTransport();
  await transport.start();
  tokens = await testTokens();
  const settings = formBuilderSettingsSchema.parse({ LOG_LEVEL: 'silent', NP_DATABASE_URL: testDatabaseUrl(), NP_FORM_BUILDER_SCHEMA: schema });
  const deps = createServiceDeps('form-builder', settings, transport, { logger: createLogger({ service: 'form-builder-test', level: 'silent' }), verifier: tokens.verifier });
  service = await startFormBuilderService({ deps, settings });
  client = new BusClient(transport, 5000, 'gateway');
});

afterAll(async () => {
  await service.close();
  await transport.close();
  const admin = new pg.Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
  await admin.query(`drop schema if exists ${quoteIdentifier(schema)} cascade`);
  await admin.end();
});

describe('the form-builder module', () => {
  it('stores an item for the caller and reads it back', async () => {
    const token = await tokens.sign({ sub: '7d9c6a0e-4f7e-4a55-9a52-0c6f1f0c2b11', roles: ['admin'] });
    const created = await client.call('form-builder.items.create', { name: 'First' }, { token });
    expect(created).toMatchObject({ name: 'First', createdBy: '7d9c6a0e-4f7e-4a55-9a52-0c6f1f0c2b11' });
    await expect(client.call('form-builder.items.get', { id: created.id }, { token })).resolves.toEqual(created);
  });

  it('answers not_found for an unknown item, validation_failed for a bad request', async () => {
    const token = await tokens.sign({ sub: '7d9c6a0e-4f7e-4a55-9a52-0c6f1f0c2b11', roles: ['admin'] });
    await expect(client.call('form-builder.items.get', { id: '00000000-0000-4000-8000-000000000000' }, { token })).rejects.toMatchObject({ code: 'not_found' });
    const invalid = await client.call('form-builder.items.create', { name: '' }, { token }).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(AppError);
    expect(invalid).toMatchObject({ code: 'validation_failed' });
  });
});
