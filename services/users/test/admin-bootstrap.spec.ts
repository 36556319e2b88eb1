import { afterAll, describe, expect, it } from '@jest/globals';
import { uniqueName } from '@np/testing';
import { dropSchema, query, serveFakeAuth, startHarness } from './users-harness.js';

const ADMIN = { NP_BOOTSTRAP_ADMIN_EMAIL: 'Root@Example.com', NP_BOOTSTRAP_ADMIN_PASSWORD: 'bootstrap secret' };

describe('bootstrap admin (real PostgreSQL)', () => {
  const schemas: string[] = [];
  const newSchema = () => {
    const schema = uniqueName('users_boot');
    schemas.push(schema);
    return schema;
  };
  const admins = (schema: string) => query<{ id: string; roles: string[] }>(`select id, roles from "${schema}".users where email = 'root@example.com'`);

  afterAll(async () => {
    for (const schema of schemas) await dropSchema(schema);
  });

  it('creates the admin with its password once, and finds it on the next start', async () => {
    const schema = newSchema();
    const first = await startHarness({ schema, env: ADMIN });
    expect(await first.handle.bootstrap).toBe('created');
    const [admin] = await admins(schema);
    expect(admin!.roles).toEqual(['admin']);
    expect(first.auth.calls).toEqual([{ userId: admin!.id, password: 'bootstrap secret' }]);
    await first.close();

    const second = await startHarness({ schema, env: ADMIN });
    expect(await second.handle.bootstrap).toBe('exists');
    expect(second.auth.calls).toEqual([]);
    await second.close();
    expect(await admins(schema)).toHaveLength(1);
  });

  it('creates one admin when two replicas start together', async () => {
    const schema = newSchema();
    await (await startHarness({ schema })).close(); // migrate first, as a rollout would
    const replicas = await Promise.all([startHarness({ schema, env: ADMIN }), startHarness({ schema, env: ADMIN })]);
    const outcomes = await Promise.all(replicas.map((replica) => replica.handle.bootstrap));
    expect([...outcomes].sort()).toEqual(['created', 'exists']);
    await Promise.all(replicas.map((replica) => replica.close()));
    expect(await admins(schema)).toHaveLength(1);
  });

  it('keeps retrying in the background until auth comes up, without blocking start', async () => {
    const schema = newSchema();
    const h = await startHarness({ schema, env: ADMIN, serveAuth: false });
    expect(await h.call('users.identity.by-email', { email: 'nobody@example.com' }).catch((error: { code: string }) => error.code)).toBe('not_found');
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await admins(schema)).toHaveLength(0);
    await serveFakeAuth(h.transport, h.auth);
    expect(await h.handle.bootstrap).toBe('created');
    expect(await admins(schema)).toHaveLength(1);
    await h.close();
  });

  it('stops retrying when the service closes', async () => {
    const schema = newSchema();
    const h = await startHarness({ schema, env: ADMIN, serveAuth: false });
    await h.close();
    expect(await h.handle.bootstrap).toBe('aborted');
    expect(await admins(schema)).toHaveLength(0);
  });
});
