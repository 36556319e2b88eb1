// The bare-Fastify baseline for `npm run bench`: the same work as the gateway's GET /v1/users/:id
// without the framework, the bus or the ORM. It verifies the bearer token with jose against the
// platform's JWKS (fetched once at start, same iss/aud/alg/tenant checks as libs/auth), then runs
// one query with a pg Pool and answers the user as JSON (the same shape as the platform).
//
// With TOKEN_CACHE=1 it remembers a verified token until its exp, as the platform's verifier
// does (libs/auth), so the comparison is of the same work; without, it verifies every request.
//
// Settings (environment): PORT, DATABASE_URL, JWKS_URL, ISSUER, AUDIENCE (np-api), TENANT,
// POOL_MAX (10, like NP_DATABASE_POOL_MAX), TOKEN_CACHE (0).
import Fastify from 'fastify';
import { createLocalJWKSet, jwtVerify } from 'jose';
import pg from 'pg';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};
const port = Number(env('PORT'));
const issuer = env('ISSUER');
const audience = env('AUDIENCE', 'np-api');
const tenant = env('TENANT', 'default');
const tokenCache = env('TOKEN_CACHE', '0') === '1' ? new Map() : undefined;

const jwksResponse = await fetch(env('JWKS_URL'));
if (!jwksResponse.ok) throw new Error(`JWKS answered ${jwksResponse.status}`);
const keys = createLocalJWKSet(await jwksResponse.json());
const pool = new pg.Pool({ connectionString: env('DATABASE_URL'), max: Number(env('POOL_MAX', '10')) });

const USER_BY_ID = 'select id, email, display_name, roles, created_at, updated_at from users.users where id = $1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const app = Fastify({ logger: false });

app.get('/v1/users/:id', async (request, reply) => {
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i.exec(request.headers.authorization ?? '');
  if (!match) return reply.code(401).send({ code: 'token_missing' });
  let payload;
  try {
    payload = await verified(match[1]);
  } catch {
    return reply.code(401).send({ code: 'token_invalid' });
  }
  if (payload.tenant !== tenant) return reply.code(401).send({ code: 'tenant_mismatch' });
  const { id } = request.params;
  const roles = Array.isArray(payload.roles) ? payload.roles : [];
  if (payload.sub !== id && !roles.includes('admin') && !roles.includes('manager')) return reply.code(403).send({ code: 'forbidden' });
  if (!UUID.test(id)) return reply.code(400).send({ code: 'validation_failed' });
  const { rows } = await pool.query(USER_BY_ID, [id]);
  const row = rows[0];
  if (!row) return reply.code(404).send({ code: 'not_found' });
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    roles: row.roles,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
});

app.get('/healthz', async () => ({ status: 'ok' }));

async function verified(token) {
  const remembered = tokenCache?.get(token);
  if (remembered && remembered.exp * 1000 > Date.now()) return remembered;
  const { payload } = await jwtVerify(token, keys, {
    issuer,
    audience,
    algorithms: ['ES256', 'RS256', 'EdDSA'],
    clockTolerance: 5,
    requiredClaims: ['sub', 'exp', 'iat'],
  });
  tokenCache?.set(token, payload);
  return payload;
}

const shutdown = async () => {
  await app.close();
  await pool.end();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

await app.listen({ port, host: '127.0.0.1' });
