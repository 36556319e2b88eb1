// The baseline of the forms benchmark: the same work as POST /v1/forms/:id/submissions without
// the platform. Bare Fastify parses the JSON body, ajv (2020-12 + formats, compiled once at start,
// unknown fields refused as the platform refuses them) validates the benchmark form's data, and
// one INSERT through a pg Pool stores it; answers 201 with the stored row.
//
// Settings (environment): PORT, DATABASE_URL, POOL_MAX (10, like NP_DATABASE_POOL_MAX).
import { randomUUID } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import Fastify from 'fastify';
import pg from 'pg';
import { dataSchema } from './forms-definition.js';

const port = Number(process.env.PORT);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_MAX ?? '10') });
const ajv = new Ajv2020({ allErrors: true, strictRequired: false });
addFormats.default(ajv);
const validate = ajv.compile({ ...dataSchema, unevaluatedProperties: false });

await pool.query('create schema if not exists bench_forms_baseline');
await pool.query('create table if not exists bench_forms_baseline.submissions (id uuid primary key, data jsonb not null, created_at timestamptz not null)');

const app = Fastify({ logger: false });
app.post('/submissions', async (request, reply) => {
  const data = request.body?.data;
  if (!validate(data)) return reply.code(400).send({ code: 'validation_failed', details: validate.errors });
  const id = randomUUID();
  const createdAt = new Date();
  await pool.query('insert into bench_forms_baseline.submissions (id, data, created_at) values ($1, $2, $3)', [id, JSON.stringify(data), createdAt]);
  return reply.code(201).send({ id, data, createdAt: createdAt.toISOString() });
});
app.get('/healthz', async () => ({ ok: true }));

await app.listen({ port, host: '127.0.0.1' });
const close = async () => {
  await app.close();
  await pool.query('drop schema if exists bench_forms_baseline cascade').catch(() => undefined);
  await pool.end();
  process.exit(0);
};
process.on('SIGTERM', close);
process.on('SIGINT', close);
