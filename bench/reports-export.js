// `npm run bench` (reports part), on the PostgreSQL of .local/servers.env, in one process:
//   1. a CSV export of BENCH_EXPORT_ROWS (1,000,000) rows of the users projection through the
//      export job (pg-boss job → pg-query-stream cursor of CSV lines written by PostgreSQL → the files
//      module's data listener → local disk) against `COPY (SELECT …) TO STDOUT WITH (FORMAT csv, HEADER true)`
//      of the same rows to a file on the same disk: the time of each, their ratio (aim ≥ 0.5) and
//      the process's peak resident memory during the export (aim ≤ 200 MB), sampled every 100 ms;
//      the exported file is checked to hold every row;
//   2. audit ingestion: BENCH_AUDIT_EVENTS (20,000) domain events through the backoffice module's
//      subscription, 32 then 256 in flight (the events of one delivery window masked and kept in
//      one idempotent insert) against a bare batched INSERT (1,000 rows a statement) of the same
//      rows: events per second of each.
// Environment: BENCH_EXPORT_ROWS, BENCH_AUDIT_EVENTS, BENCH_AUDIT_WINDOWS (32,256), NP_DATABASE_URL.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { startBackofficeService, backofficeSettingsSchema } from '@np/backoffice';
import { filesSettingsSchema, startFilesService } from '@np/files';
import { BusClient, InProcessTransport } from '@np/messaging';
import { createLogger } from '@np/observability';
import { reportsSettingsSchema, startReportsService } from '@np/reports';
import { createServiceDeps } from '@np/runtime';
import { testDatabaseUrl, testTokens } from '@np/testing';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { cleanupAll, onCleanup, progress } from './support.js';

const ROWS = Number(process.env.BENCH_EXPORT_ROWS ?? 1_000_000);
const AUDIT_EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 20_000);
// Deliveries in flight (RabbitMQ's prefetch, NP_AMQP_PREFETCH): the platform's default, then a larger window.
const AUDIT_WINDOWS = (process.env.BENCH_AUDIT_WINDOWS ?? '32,256').split(',').map(Number);
const AIMS = { ratio: 0.5, peakRssMb: 200 };
const MB = 1024 * 1024;
const url = testDatabaseUrl();
const suffix = randomUUID().slice(0, 8);
const schemas = { reports: `bench_reports_${suffix}`, files: `bench_files_${suffix}`, backoffice: `bench_backoffice_${suffix}` };
const logger = createLogger({ service: 'bench', level: 'warn' });

async function sql(text, params = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

/**
 * Samples the process's memory every 100 ms until stopped; answers the peaks in MB: resident,
 * the JavaScript heap in use, and memory outside the heap (buffers).
 */
function sampleMemory() {
  const peak = { rss: 0, heapUsed: 0, external: 0 };
  const sample = () => {
    const now = process.memoryUsage();
    for (const key of Object.keys(peak)) peak[key] = Math.max(peak[key], now[key]);
  };
  sample();
  const timer = setInterval(sample, 100);
  return () => {
    clearInterval(timer);
    sample();
    return { rss: peak.rss / MB, heapUsed: peak.heapUsed / MB, external: peak.external / MB };
  };
}

async function countLines(path) {
  let lines = 0;
  for await (const _line of createInterface({ input: createReadStream(path) })) lines += 1;
  return lines;
}

async function exportBench(dataDir) {
  const transport = new InProcessTransport(logger);
  await transport.start();
  onCleanup('the bus', () => transport.close());
  const tokens = await testTokens();
  const env = { LOG_LEVEL: 'warn', NP_DATABASE_URL: url };
  const filesSettings = filesSettingsSchema.parse({ ...env, NP_FILES_SCHEMA: schemas.files, NP_FILES_STORAGE: 'local', NP_DATA_DIR: dataDir, NP_FILES_DATA_PORT: '0', NP_FILES_MAX_BYTES: String(20 * 1024 * MB) });
  const files = await startFilesService({ deps: createServiceDeps('files', filesSettings, transport, { logger, verifier: tokens.verifier }), settings: filesSettings });
  onCleanup('files', () => files.close());
  const reportsSettings = reportsSettingsSchema.parse({ ...env, NP_REPORTS_SCHEMA: schemas.reports, NP_FILES_URL: files.dataUrl, NP_REPORTS_EXPORT_RETRIES: '0' });
  const reports = await startReportsService({ deps: createServiceDeps('reports', reportsSettings, transport, { logger, verifier: tokens.verifier }), settings: reportsSettings });
  onCleanup('reports', () => reports.close());
  const s = `"${schemas.reports}"`;
  progress(`filling the users projection with ${ROWS} rows`);
  await sql(
    `insert into ${s}.users_view (id, email, display_name, roles, created_at, updated_at)
     select gen_random_uuid(), 'user' || i || '@bench.test', 'User, "' || i || '"', array['member'], timestamptz '2026-01-01' + i * interval '1 second', timestamptz '2026-01-01' + i * interval '1 second'
     from generate_series(1, $1) as i`,
    [ROWS],
  );
  await sql(`analyze ${s}.users_view`);
  const owner = randomUUID();
  const token = await tokens.sign({ sub: owner, roles: ['admin'] });
  const bus = new BusClient(transport, 30_000, 'gateway');
  const report = await bus.call('reports.create', { name: 'Bench users', dataset: 'users' }, { token });

  progress('export job: CSV of every row into the files module');
  global.gc?.();
  const idle = process.memoryUsage();
  const stopSampling = sampleMemory();
  const started = performance.now();
  const accepted = await bus.call('reports.exports.create', { id: report.id, format: 'csv' }, { token });
  let state = await bus.call('reports.exports.get', { exportId: accepted.id }, { token });
  while (state.status === 'queued' || state.status === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 200));
    state = await bus.call('reports.exports.get', { exportId: accepted.id }, { token });
  }
  const exportSeconds = (performance.now() - started) / 1000;
  const peak = stopSampling();
  if (state.status !== 'succeeded') throw new Error(`the export ${state.status}: ${state.error}`);
  const file = await bus.call('files.get', { id: state.fileId }, { token });
  const stored = join(dataDir, 'files', 'objects');
  const objectPath = (await sql(`select object_key from "${schemas.files}".files where id = $1`, [state.fileId])).rows[0].object_key;
  const lines = await countLines(join(stored, '..', objectPath));
  if (state.rows !== ROWS) throw new Error(`the export counted ${state.rows} rows, not ${ROWS}`);

  progress('baseline: COPY (SELECT …) TO STDOUT of the same rows to a file');
  const copyPath = join(dataDir, 'copy.csv');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const copyStarted = performance.now();
  await pipeline(
    client.query(copyTo(`copy (select id::text, email, display_name, roles, created_at, updated_at from ${s}.users_view order by created_at, id) to stdout with (format csv, header true)`)),
    createWriteStream(copyPath),
  );
  const copySeconds = (performance.now() - copyStarted) / 1000;
  await client.end();
  return { exportSeconds, jobSeconds: (state.durationMs ?? 0) / 1000, copySeconds, idle: { rss: idle.rss / MB, heapUsed: idle.heapUsed / MB, external: idle.external / MB }, peak, bytes: file.size, copyBytes: statSync(copyPath).size, lines };
}

async function auditBench() {
  const transport = new InProcessTransport(logger);
  await transport.start();
  onCleanup('the audit bus', () => transport.close());
  const tokens = await testTokens();
  const settings = backofficeSettingsSchema.parse({ LOG_LEVEL: 'warn', NP_DATABASE_URL: url, NP_BACKOFFICE_SCHEMA: schemas.backoffice });
  const backoffice = await startBackofficeService({ deps: createServiceDeps('backoffice', settings, transport, { logger, verifier: tokens.verifier }), settings });
  onCleanup('backoffice', () => backoffice.close());
  const at = new Date().toISOString();
  const makeEvents = (tag) =>
    Array.from({ length: AUDIT_EVENTS }, (_, index) => {
      const id = randomUUID();
      const user = { id: randomUUID(), email: `audit${index}@bench.test`, displayName: 'Audit', roles: ['member'], createdAt: at, updatedAt: at };
      return { id, name: 'users.user.updated', payload: { user, changed: ['displayName'] }, occurredAt: at, requestId: `bench-${tag}-${index}`, actorId: user.id };
    });
  const moduleRates = {};
  let events = [];
  let expected = 0;
  for (const window of AUDIT_WINDOWS) {
    events = makeEvents(window);
    progress(`audit ingestion: ${AUDIT_EVENTS} events through the backoffice subscription, ${window} in flight`);
    const started = performance.now();
    // `window` in flight at a time, as RabbitMQ's prefetch (NP_AMQP_PREFETCH) hands them to a consumer.
    for (let from = 0; from < events.length; from += window) {
      for (const event of events.slice(from, from + window)) await transport.publish(event);
      await transport.drain();
    }
    moduleRates[window] = AUDIT_EVENTS / ((performance.now() - started) / 1000);
    expected += AUDIT_EVENTS;
    const kept = Number((await sql(`select count(*) from "${schemas.backoffice}".audit_entries`)).rows[0].count);
    if (kept !== expected) throw new Error(`the audit kept ${kept} of ${expected} events`);
  }

  progress('baseline: batched INSERT of the same rows (1,000 a statement)');
  await sql(`create table "${schemas.backoffice}".bare_audit (like "${schemas.backoffice}".audit_entries including defaults)`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const bareStarted = performance.now();
  for (let from = 0; from < events.length; from += 1000) {
    const batch = events.slice(from, from + 1000);
    const values = [];
    const params = [];
    for (const event of batch) {
      const base = params.length;
      params.push(event.id, event.occurredAt, event.actorId, event.name, `user:${event.payload.user.id}`, event.requestId, JSON.stringify(event.payload));
      values.push(`($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, $${base + 6}, $${base + 7})`);
    }
    await client.query(`insert into "${schemas.backoffice}".bare_audit (id, at, actor, type, resource, request_id, changes) values ${values.join(', ')}`, params);
  }
  const bareSeconds = (performance.now() - bareStarted) / 1000;
  await client.end();
  return { moduleRates, bareRate: AUDIT_EVENTS / bareSeconds };
}

const dataDir = mkdtempSync(join(tmpdir(), 'np-bench-reports-'));
onCleanup('the bench folder', () => rmSync(dataDir, { recursive: true, force: true }));
for (const schema of Object.values(schemas)) onCleanup(`schema ${schema}`, () => sql(`drop schema if exists "${schema}" cascade`));
let status = 0;
try {
  const exported = await exportBench(dataDir);
  await cleanupAll();
  for (const schema of Object.values(schemas)) onCleanup(`schema ${schema}`, () => sql(`drop schema if exists "${schema}" cascade`));
  const audit = await auditBench();
  const ratio = exported.copySeconds / exported.exportSeconds;
  console.log('\n| measure | export job | baseline | ratio | aim |');
  console.log('| --- | --- | --- | --- | --- |');
  console.log(`| CSV of ${ROWS.toLocaleString('en')} rows, request to file | ${exported.exportSeconds.toFixed(1)} s (the job itself ${exported.jobSeconds.toFixed(1)} s; ${(exported.bytes / MB).toFixed(0)} MB, ${exported.lines - 1} data lines) | COPY TO STDOUT ${exported.copySeconds.toFixed(1)} s (${(exported.copyBytes / MB).toFixed(0)} MB) | ${ratio.toFixed(2)}x | ≥ ${AIMS.ratio}x |`);
  const { idle, peak } = exported;
  console.log(`| peak RSS during the export (files and reports in one process) | ${peak.rss.toFixed(0)} MB (${idle.rss.toFixed(0)} MB before it: +${(peak.rss - idle.rss).toFixed(0)} MB; heap in use ${idle.heapUsed.toFixed(0)} → ${peak.heapUsed.toFixed(0)} MB, buffers ${idle.external.toFixed(0)} → ${peak.external.toFixed(0)} MB) | | | ≤ ${AIMS.peakRssMb} MB |`);
  for (const [window, rate] of Object.entries(audit.moduleRates)) {
    console.log(`| audit ingestion, ${AUDIT_EVENTS.toLocaleString('en')} events, ${window} in flight | ${rate.toFixed(0)} events/s | batched INSERT ${audit.bareRate.toFixed(0)} rows/s | ${(rate / audit.bareRate).toFixed(2)}x | |`);
  }
  if (ratio < AIMS.ratio || peak.rss > AIMS.peakRssMb) {
    console.log('\nreports export: below its aims (see docs/benchmarks.md)');
  }
} catch (error) {
  console.error(error);
  status = 1;
} finally {
  await cleanupAll();
}
process.exit(status);
