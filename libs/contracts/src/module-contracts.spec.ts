import { describe, expect, it } from '@jest/globals';
import { moduleEntry } from '@np/modules';
import { z } from 'zod';
import { AUTH_CONTRACTS } from './auth.contracts.js';
import { AUTH_ROUTES } from './auth.routes.js';
import { eventSchema, isMessagePattern, message, messageContract, moduleOf, registerModuleContracts, registeredRoutes, type ModuleContracts } from './module-contracts.js';
import { route } from './route-declaration.js';
import { isPublicPolicy } from './route-policy.js';

const pathParams = (path: string) => [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]).sort();
const ok = z.object({ ok: z.literal(true) });

/** Contracts of a module that is in the manifest but not implemented, to try the registry's checks on. */
function filesContracts(overrides: Partial<ModuleContracts> = {}): ModuleContracts {
  const events = Object.fromEntries(moduleEntry('files').events.map((name) => [name, z.object({})]));
  return { module: 'files', messages: { 'files.ping': message(z.strictObject({}), ok) }, events, routes: [], ...overrides };
}

describe('module contracts', () => {
  it('register auth\'s own when the library loads', () => {
    expect(messageContract('auth.login')).toMatchObject({ module: 'auth' });
    expect(eventSchema('auth.session.revoked')).toBeDefined();
    expect(isMessagePattern('auth.credentials.set')).toBe(true);
    expect(isMessagePattern('auth.nothing')).toBe(false);
    expect(registeredRoutes()).toEqual(expect.arrayContaining([...AUTH_ROUTES]));
    expect(registerModuleContracts(AUTH_CONTRACTS)).toBe(AUTH_CONTRACTS);
  });

  it('refuse another set of contracts for a module already registered', () => {
    expect(() => registerModuleContracts({ ...AUTH_CONTRACTS })).toThrow('registered twice');
  });

  it('refuse patterns outside the module\'s namespace', () => {
    expect(() => registerModuleContracts(filesContracts({ messages: { 'users.steal': message(z.strictObject({}), ok) } }))).toThrow('outside its namespace: users.steal');
  });

  it('refuse events that differ from the manifest', () => {
    expect(() => registerModuleContracts(filesContracts({ events: { 'files.file.vanished': z.object({}) } }))).toThrow('differ from its manifest entry');
  });

  it('refuse a route to a pattern the module does not answer, or to an internal one', () => {
    const stray = { ...AUTH_ROUTES[0]!, pattern: 'auth.login' as const };
    expect(() => registerModuleContracts(filesContracts({ routes: [stray] }))).toThrow('which the files module does not answer');
    const internal = { 'files.secret': { request: z.strictObject({}), reply: ok, callers: ['gateway'] as const } };
    const exposed = { ...AUTH_ROUTES[0]!, pattern: 'files.secret' as never };
    expect(() => registerModuleContracts(filesContracts({ messages: internal, routes: [exposed] }))).toThrow('exposes the internal pattern');
  });

  it('route a registered pattern to its module', () => {
    registerModuleContracts(filesContracts());
    expect(moduleOf('files.ping' as never)).toBe('files');
    expect(() => moduleOf('files.nothing' as never)).toThrow('No registered module answers');
  });
});

describe('declared HTTP routes', () => {
  it('name each method and path once', () => {
    const keys = registeredRoutes().map((declared) => `${declared.method} ${declared.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('declare a params schema for exactly the path parameters, and allowSelf names one of them', () => {
    for (const declared of registeredRoutes()) {
      const declaredParams = declared.params ? Object.keys((z.toJSONSchema(declared.params, { io: 'input' }) as { properties?: object }).properties ?? {}).sort() : [];
      expect({ path: declared.path, params: declaredParams }).toEqual({ path: declared.path, params: pathParams(declared.path) });
      if (!isPublicPolicy(declared.policy) && declared.policy.allowSelf) expect(pathParams(declared.path)).toContain(declared.policy.allowSelf);
    }
  });

  it('build the bus request from the HTTP parts', () => {
    const login = AUTH_ROUTES.find((declared) => declared.pattern === 'auth.login');
    expect(login?.toBus({ params: undefined, query: undefined, body: { email: 'a@b.co', password: 'x' }, ip: '10.0.0.1' })).toEqual({ email: 'a@b.co', password: 'x', ip: '10.0.0.1' });
  });

  it('type toBus against the pattern\'s request', () => {
    const declared = route({ method: 'GET', path: '/v1/me', summary: 'me', policy: {}, pattern: 'auth.me', toBus: () => ({}) });
    expect(declared).toMatchObject({ status: 200, errors: [] });
  });
});
