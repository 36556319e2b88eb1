import { randomUUID } from 'node:crypto';
import { AppError, messageContract, type MessagePattern, type Principal, type ReplyOf, type RequestOf, type Role, type SetCredentialsCommand } from '@np/contracts';
import { BusClient, type EventEnvelope, InProcessTransport } from '@np/messaging';
import { createLogger } from '@np/observability';
import { createServiceDeps, type ServiceDeps } from '@np/runtime';
import { testDatabaseUrl, testTokens } from '@np/testing';
import pg from 'pg';
import { startUsersService, type UsersServiceHandle, usersSettingsSchema } from '../src/index.js';

export interface FakeAuth {
  calls: SetCredentialsCommand[];
  /** When set, `auth.credentials.set` answers with this error code. */
  failWith: AppError | undefined;
  /** `auth.credentials.verify` accepts this password only. */
  currentPassword: string;
  /** Runs while `auth.credentials.set` is being handled, before it answers (what else happens meanwhile). */
  duringSet: ((command: SetCredentialsCommand) => Promise<void>) | undefined;
}

export type TestPrincipal = Pick<Principal, 'sub' | 'roles'> & { sid?: string };

export interface UsersHarness {
  schema: string;
  deps: ServiceDeps;
  transport: InProcessTransport;
  handle: UsersServiceHandle;
  auth: FakeAuth;
  published: EventEnvelope[];
  /** Sends as the service the pattern is meant for (the gateway unless it is internal), with the principal's token when given. */
  call<P extends MessagePattern>(pattern: P, body: RequestOf<P>, principal?: TestPrincipal): Promise<ReplyOf<P>>;
  callError<P extends MessagePattern>(pattern: P, body: RequestOf<P>, principal?: TestPrincipal): Promise<AppError>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  schema: string;
  env?: Record<string, string>;
  /** Serve the fake auth module right away (default) or leave it to the test. */
  serveAuth?: boolean;
}

/** The users service on an in-process bus, against the real PostgreSQL; auth is a recording fake. */
export async function startHarness(options: HarnessOptions): Promise<UsersHarness> {
  const transport = new InProcessTransport();
  await transport.start();
  const auth: FakeAuth = { calls: [], failWith: undefined, currentPassword: 'the-current-password', duringSet: undefined };
  if (options.serveAuth !== false) await serveFakeAuth(transport, auth);
  const published: EventEnvelope[] = [];
  await transport.subscribe('test-recorder', ['users.#'], (event) => {
    published.push(event);
    return Promise.resolve();
  });
  const logger = createLogger({ service: 'users-test', level: 'silent' });
  const settings = usersSettingsSchema.parse({
    NP_DATABASE_URL: testDatabaseUrl(),
    NP_USERS_SCHEMA: options.schema,
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const tokens = await testTokens();
  const deps = createServiceDeps('users', settings, transport, { logger, verifier: tokens.verifier });
  const handle = await startUsersService({ deps, settings });
  const call = async <P extends MessagePattern>(pattern: P, body: RequestOf<P>, principal?: TestPrincipal) => {
    const client = new BusClient(transport, settings.NP_RPC_TIMEOUT_MS, messageContract(pattern)?.callers?.[0] ?? 'gateway');
    return client.call(pattern, body, principal ? { token: await tokens.sign(principal) } : {});
  };
  return {
    schema: options.schema,
    deps,
    transport,
    handle,
    auth,
    published,
    call,
    async callError(pattern, body, principal) {
      const error: unknown = await call(pattern, body, principal).then(
        () => new Error(`${pattern} succeeded but was expected to fail`),
        (failure: unknown) => failure,
      );
      if (error instanceof AppError) return error;
      throw error;
    },
    async close() {
      await handle.close();
      await transport.close();
    },
  };
}

export async function serveFakeAuth(transport: InProcessTransport, auth: FakeAuth): Promise<void> {
  await transport.serve('auth', async (request) => {
    if (request.pattern === 'auth.credentials.verify') {
      const { password } = request.body as { password: string };
      return password === auth.currentPassword ? { ok: true, body: { ok: true } } : { ok: false, error: { code: 'current_password_invalid', message: 'wrong' } };
    }
    if (request.pattern !== 'auth.credentials.set') return { ok: false, error: { code: 'not_found', message: 'fake auth' } };
    const command = request.body as SetCredentialsCommand;
    await auth.duringSet?.(command);
    if (auth.failWith) return { ok: false, error: auth.failWith.toPayload() };
    auth.calls.push(command);
    return { ok: true, body: { ok: true } };
  });
}

export function principal(roles: Role[], sub: string = randomUUID()): TestPrincipal {
  return { sub, roles };
}

/** Direct SQL against the test database, to check what the service really wrote. */
export async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await query(`drop schema if exists "${schema}" cascade`);
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
