import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EventName } from '@np/contracts';
import { BusClient, type EventEnvelope, InProcessTransport } from '@np/messaging';
import { createLogger } from '@np/observability';
import { quoteIdentifier } from '@np/persistence';
import { createServiceDeps } from '@np/runtime';
import { testDatabaseUrl, testTokens, uniqueName } from '@np/testing';
import pg from 'pg';
import { type BackofficeServiceHandle, backofficeSettingsSchema, startBackofficeService } from '../src/index.js';

// The audit log against the real PostgreSQL on the in-process bus: one entry per event whatever
// the redeliveries, masked changes, forged events dropped, retention.
const schema = uniqueName('backoffice_test');
let transport: InProcessTransport;
let service: BackofficeServiceHandle;
let client: BusClient;
let token: string;
let sql: pg.Pool;

beforeAll(async () => {
  transport = new InProcessTransport();
  await transport.start();
  const tokens = await testTokens();
  const settings = backofficeSettingsSchema.parse({ LOG_LEVEL: 'silent', NP_DATABASE_URL: testDatabaseUrl(), NP_BACKOFFICE_SCHEMA: schema, NP_AUDIT_RETENTION_DAYS: '30' });
  service = await startBackofficeService({ deps: createServiceDeps('backoffice', settings, transport, { logger: createLogger({ service: 'backoffice-test', level: 'silent' }), verifier: tokens.verifier }), settings });
  client = new BusClient(transport, 5000, 'gateway');
  token = await tokens.sign({ sub: randomUUID(), roles: ['admin'] });
  sql = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2 });
}, 60_000);
afterAll(async () => {
  await service?.close();
  await transport?.close();
  await sql?.query(`drop schema if exists ${quoteIdentifier(schema)} cascade`);
  await sql?.end();
});

function userEvent(extra: Partial<EventEnvelope> = {}, occurredAt = new Date()): EventEnvelope {
  const at = occurredAt.toISOString();
  const user = { id: randomUUID(), email: 'a@audit.test', displayName: 'A', roles: ['member'], createdAt: at, updatedAt: at };
  return { id: randomUUID(), name: 'users.user.updated' as EventName, payload: { user, changed: ['password'] }, occurredAt: at, requestId: `req-${randomUUID()}`, actorId: randomUUID(), ...extra };
}

async function deliver(...events: EventEnvelope[]): Promise<void> {
  for (const event of events) await transport.publish(event);
  await transport.drain();
}

describe('the audit log', () => {
  it('keeps an event delivered twice once, with its actor, request id and resource', async () => {
    const event = userEvent();
    await deliver(event, event, event);
    const page = await client.call('backoffice.audit.list', { resource: `user:${(event.payload as { user: { id: string } }).user.id}`, limit: 50 }, { token });
    expect(page.items).toEqual([expect.objectContaining({ id: event.id, actor: event.actorId, requestId: event.requestId, type: 'users.user.updated', changes: event.payload })]);
  });

  it('keeps the events of one delivery window in one batch, each once, and an event redelivered in a later window once', async () => {
    const events = Array.from({ length: 40 }, () => userEvent());
    await deliver(...events, events[0]!, events[1]!);
    await deliver(events[0]!, ...events.slice(30));
    const rows = await sql.query(`select id from ${quoteIdentifier(schema)}.audit_entries where id = any($1::uuid[])`, [events.map((each) => each.id)]);
    expect(rows.rows.map((row: { id: string }) => row.id).sort()).toEqual(events.map((each) => each.id).sort());
  });

  it('loses nothing of a batch that one event makes fail: the others are kept, once, the bad one is refused', async () => {
    // PostgreSQL's jsonb refuses the NUL character: this event passes its contract but not the insert.
    const bad = userEvent();
    (bad.payload as { user: { displayName: string } }).user.displayName = 'nul \u0000 inside';
    const good = Array.from({ length: 5 }, () => userEvent());
    await deliver(good[0]!, good[1]!, bad, good[2]!, good[3]!, good[4]!, good[0]!);
    const rows = await sql.query(`select id from ${quoteIdentifier(schema)}.audit_entries where id = any($1::uuid[])`, [[...good, bad].map((each) => each.id)]);
    expect(rows.rows.map((row: { id: string }) => row.id).sort()).toEqual(good.map((each) => each.id).sort());
  });

  it('masks secret-like values even when an event carries them, and drops forged or malformed events', async () => {
    const leaky = { id: randomUUID(), name: 'users.user.updated' as EventName, occurredAt: new Date().toISOString(), payload: { ...(userEvent().payload as object), password: 'hunter2', note: { apiToken: 'abc' } } };
    const forged = userEvent({ publisher: 'files' });
    const malformed = { ...userEvent(), payload: { user: { id: 'nope' } } };
    await deliver(leaky as EventEnvelope, forged, malformed);
    const rows = await sql.query(`select id, changes from ${quoteIdentifier(schema)}.audit_entries where id = any($1::uuid[])`, [[leaky.id, forged.id, malformed.id]]);
    expect(rows.rows.map((row: { id: string }) => row.id)).toEqual([leaky.id]);
    expect(JSON.stringify(rows.rows[0])).not.toContain('hunter2');
    expect(JSON.stringify(rows.rows[0])).not.toContain('abc');
  });

  it('deletes entries past the retention and keeps the rest', async () => {
    const old = userEvent({}, new Date(Date.now() - 31 * 86_400_000));
    const recent = userEvent({}, new Date(Date.now() - 29 * 86_400_000));
    await deliver(old, recent);
    await expect(service.pruneAudit()).resolves.toBeGreaterThanOrEqual(1);
    const kept = await sql.query(`select id from ${quoteIdentifier(schema)}.audit_entries where id = any($1::uuid[])`, [[old.id, recent.id]]);
    expect(kept.rows.map((row: { id: string }) => row.id)).toEqual([recent.id]);
  });
});
