import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { HTTP_ROUTES } from './http-routes.js';
import { MESSAGES, moduleOf } from './patterns.js';
import { AUTH_ROUTES } from './auth.routes.js';
import { USERS_ROUTES } from './users.routes.js';
import { isPublicPolicy } from './route-policy.js';

const pathParams = (path: string) => [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]).sort();

describe('declared HTTP routes', () => {
  it('name each method and path once', () => {
    const keys = HTTP_ROUTES.map((declared) => `${declared.method} ${declared.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('never expose an internal bus pattern', () => {
    for (const declared of HTTP_ROUTES) expect({ pattern: declared.pattern, callers: MESSAGES[declared.pattern].callers }).toEqual({ pattern: declared.pattern, callers: undefined });
  });

  it('declare a params schema for exactly the path parameters, and allowSelf names one of them', () => {
    for (const declared of HTTP_ROUTES) {
      const declaredParams = declared.params ? Object.keys((z.toJSONSchema(declared.params, { io: 'input' }) as { properties?: object }).properties ?? {}).sort() : [];
      expect({ path: declared.path, params: declaredParams }).toEqual({ path: declared.path, params: pathParams(declared.path) });
      if (!isPublicPolicy(declared.policy) && declared.policy.allowSelf) expect(pathParams(declared.path)).toContain(declared.policy.allowSelf);
    }
  });

  it('keep each module\'s routes to the patterns that module answers', () => {
    expect(AUTH_ROUTES.map((declared) => moduleOf(declared.pattern))).toEqual(AUTH_ROUTES.map(() => 'auth'));
    expect(USERS_ROUTES.map((declared) => moduleOf(declared.pattern))).toEqual(USERS_ROUTES.map(() => 'users'));
  });

  it('build the bus request from the HTTP parts', () => {
    const update = USERS_ROUTES.find((declared) => declared.pattern === 'users.update');
    expect(update?.toBus({ params: { id: 'u1' }, query: undefined, body: { displayName: 'A' }, ip: '10.0.0.1' })).toEqual({ id: 'u1', changes: { displayName: 'A' } });
    const login = AUTH_ROUTES.find((declared) => declared.pattern === 'auth.login');
    expect(login?.toBus({ params: undefined, query: undefined, body: { email: 'a@b.co', password: 'x' }, ip: '10.0.0.1' })).toEqual({ email: 'a@b.co', password: 'x', ip: '10.0.0.1' });
  });
});
