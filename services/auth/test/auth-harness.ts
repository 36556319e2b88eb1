import { randomBytes, randomUUID } from 'node:crypto';
import type { RequestOf } from '@np/contracts';
import type { Identity } from '@np/users/contracts';
import { BusClient, InProcessTransport, type RequestEnvelope, type ReplyEnvelope } from '@np/messaging';
import { createLogger } from '@np/observability';
import { quoteIdentifier } from '@np/persistence';
import { createServiceDeps } from '@np/runtime';
import { testDatabaseUrl, uniqueName } from '@np/testing';
import pg from 'pg';
import { type AuthService, type AuthSettings, authSettingsSchema, startAuthService } from '../src/index.js';

/** Stands in for the users module: answers identity lookups from a map the test controls. */
export class FakeUsers {
  readonly byId = new Map<string, Identity>();

  /** `id`: a user whose account lives elsewhere under that id (a Keycloak realm's user). */
  add(email: string, roles: Identity['roles'] = ['member'], id: string = randomUUID()): Identity {
    const identity: Identity = { id, email, displayName: email.split('@')[0]!, roles };
    this.byId.set(identity.id, identity);
    return identity;
  }

  remove(id: string): void {
    this.byId.delete(id);
  }

  handle = (request: RequestEnvelope): Promise<ReplyEnvelope> => {
    const body = request.body as { id?: string; email?: string };
    const found =
      request.pattern === 'users.identity.by-id'
        ? this.byId.get(body.id ?? '')
        : [...this.byId.values()].find((identity) => identity.email === body.email);
    return Promise.resolve(found ? { ok: true, body: found } : { ok: false, error: { code: 'not_found', message: 'No such user.' } });
  };
}

export interface AuthHarness {
  settings: AuthSettings;
  transport: InProcessTransport;
  client: BusClient;
  /** A client speaking for another service (e.g. the gateway, for patterns internal to it). */
  clientAs(caller: string): BusClient;
  users: FakeUsers;
  service: AuthService;
  /** Stops the service and starts it again (as after a deploy) on a fresh bus. */
  restart(): Promise<void>;
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

export function authTestSettings(overrides: Record<string, string> = {}): AuthSettings {
  return authSettingsSchema.parse({
    LOG_LEVEL: 'silent',
    NP_TENANT: 'acme',
    NP_DATABASE_URL: testDatabaseUrl(),
    NP_DATABASE_POOL_MAX: '5',
    NP_AUTH_SCHEMA: uniqueName('auth'),
    NP_ISSUER: 'https://acme.example.com/',
    NP_RPC_TIMEOUT_MS: '10000',
    NP_SIGNING_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    ...overrides,
  });
}

export async function startOnFreshBus(settings: AuthSettings, users: FakeUsers) {
  const transport = new InProcessTransport();
  await transport.start();
  await transport.serve('users', users.handle);
  const deps = createServiceDeps('auth', settings, transport, { logger: createLogger({ service: 'auth-test', level: 'silent' }) });
  const service = await startAuthService({ deps, settings });
  // The test speaks as users, the module entitled to auth's internal credential patterns.
  return { transport, service, client: new BusClient(transport, settings.NP_RPC_TIMEOUT_MS, 'users') };
}

export async function startAuthHarness(overrides: Record<string, string> = {}): Promise<AuthHarness> {
  const settings = authTestSettings(overrides);
  const users = new FakeUsers();
  const pool = new pg.Pool({ connectionString: settings.NP_DATABASE_URL, max: 2 });
  let running = await startOnFreshBus(settings, users);
  const harness: AuthHarness = {
    settings,
    users,
    get transport() {
      return running.transport;
    },
    get client() {
      return running.client;
    },
    clientAs(caller: string) {
      return new BusClient(running.transport, settings.NP_RPC_TIMEOUT_MS, caller);
    },
    get service() {
      return running.service;
    },
    async restart() {
      await running.service.close();
      await running.transport.close();
      running = await startOnFreshBus(settings, users);
    },
    async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
      return (await pool.query<R>(sql.replaceAll('$schema', quoteIdentifier(settings.NP_AUTH_SCHEMA)), params)).rows;
    },
    async close() {
      await running.service.close();
      await running.transport.close();
      await pool.query(`drop schema if exists ${quoteIdentifier(settings.NP_AUTH_SCHEMA)} cascade`);
      await pool.end();
    },
  };
  return harness;
}

/** A user known to the fake users module, with a password set through auth. */
export async function registerUser(harness: AuthHarness, email: string, password: string, roles: Identity['roles'] = ['member']): Promise<Identity> {
  const identity = harness.users.add(email, roles);
  const command: RequestOf<'auth.credentials.set'> = { userId: identity.id, password };
  await harness.client.call('auth.credentials.set', command);
  return identity;
}
