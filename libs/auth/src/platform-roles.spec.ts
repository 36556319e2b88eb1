import { describe, expect, it } from '@jest/globals';
import { platformRolesOf } from './platform-roles.js';

describe('platformRolesOf', () => {
  it("keeps the platform's roles of a Keycloak realm's claim and drops Keycloak's own", () => {
    const claim = ['default-roles-tenant-acme', 'offline_access', 'admin', 'uma_authorization'];
    expect(platformRolesOf(claim)).toEqual(['admin']);
  });

  it("drops roles the platform does not know (another application's), in any order, without duplicates", () => {
    expect(platformRolesOf(['billing', 'member', 'manager', 'member'])).toEqual(['manager', 'member']);
  });

  it('gives no role for a claim holding none of the platform roles', () => {
    expect(platformRolesOf(['default-roles-tenant-acme', 'offline_access'])).toEqual([]);
    expect(platformRolesOf([])).toEqual([]);
  });

  it('refuses a claim that is not a list of strings', () => {
    expect(platformRolesOf(undefined)).toBeUndefined();
    expect(platformRolesOf('admin')).toBeUndefined();
    expect(platformRolesOf(['admin', 7])).toBeUndefined();
    expect(platformRolesOf({ admin: true })).toBeUndefined();
  });
});
