import { describe, expect, it } from '@jest/globals';
import { newRealmUsername, realmNames, realmUserFields, realmUserUpdate, roleChanges } from './realm-user.js';

describe('realmNames', () => {
  it('splits the display name into a first name and the rest', () => {
    expect(realmNames('Ada Lovelace')).toEqual({ firstName: 'Ada', lastName: 'Lovelace' });
    expect(realmNames('  Jean  Paul Sartre ')).toEqual({ firstName: 'Jean', lastName: 'Paul Sartre' });
  });

  it('uses a one-word name as both, since Keycloak needs both before a password sign-in', () => {
    expect(realmNames('Ada')).toEqual({ firstName: 'Ada', lastName: 'Ada' });
  });

  it("drops the characters Keycloak's user profile refuses in names, keeping letters of any script", () => {
    expect(realmNames('Ada (QA) <admin>')).toEqual({ firstName: 'Ada', lastName: 'QA admin' });
    expect(realmNames("Zoë O'Brien-Smith")).toEqual({ firstName: 'Zoë', lastName: "O'Brien-Smith" });
    expect(realmNames('((()))')).toEqual({ firstName: 'User', lastName: 'User' });
  });
});

describe('realmUserFields and realmUserUpdate', () => {
  const fields = realmUserFields({ email: 'Ada@Example.com', displayName: 'Ada Lovelace' }, true);

  it('gives the realm user its lowercase email, verified, and no username (opaque, set once at creation)', () => {
    expect(fields).toEqual({ email: 'ada@example.com', emailVerified: true, enabled: true, firstName: 'Ada', lastName: 'Lovelace' });
    expect(newRealmUsername()).toMatch(/^np-[0-9a-f-]{36}$/);
  });

  it('finds nothing to write for a realm user that matches, whatever else Keycloak keeps', () => {
    expect(realmUserUpdate({ ...fields, id: 'u1', username: 'np-1', createdTimestamp: 1, requiredActions: [] }, fields)).toBeUndefined();
  });

  it('sends the whole user back with the owned fields set when one differs', () => {
    const current = { ...fields, id: 'u1', enabled: false, email: 'old@example.com', totp: false };
    expect(realmUserUpdate(current, fields)).toEqual({ ...current, enabled: true, email: 'ada@example.com' });
  });
});

describe('roleChanges', () => {
  it("maps the missing platform roles and unmaps the others, leaving Keycloak's own roles alone", () => {
    expect(roleChanges(['default-roles-tenant-acme', 'offline_access', 'member'], ['manager'])).toEqual({ add: ['manager'], remove: ['member'] });
    expect(roleChanges(['admin', 'uma_authorization'], ['admin'])).toEqual({ add: [], remove: [] });
  });
});
