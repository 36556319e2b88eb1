import { describe, expect, it } from '@jest/globals';
import { UnsecuredJWT } from 'jose';
import { realmSessionOf } from './realm-session.js';

const SUB = '7fd39ce7-e38c-41c1-9370-f406e73a2250';

function refreshToken(claims: Record<string, unknown>): string {
  return new UnsecuredJWT({ typ: 'Refresh', azp: 'gateway', ...claims }).setIssuedAt().setExpirationTime('30m').encode();
}

describe('realmSessionOf', () => {
  it("names the session and the user of a Keycloak refresh token (Keycloak's short session ids included)", () => {
    expect(realmSessionOf(refreshToken({ sid: '69G4AaL0IX-xS1csx55HlMNq', sub: SUB }))).toEqual({ sessionId: '69G4AaL0IX-xS1csx55HlMNq', userId: SUB });
  });

  it('is undefined for a token without a session, with a user id that is no UUID, or that is no JWT', () => {
    expect(realmSessionOf(refreshToken({ sub: SUB }))).toBeUndefined();
    expect(realmSessionOf(refreshToken({ sid: '', sub: SUB }))).toBeUndefined();
    expect(realmSessionOf(refreshToken({ sid: 'x'.repeat(201), sub: SUB }))).toBeUndefined();
    expect(realmSessionOf(refreshToken({ sid: 's', sub: 'f:ldap:bob' }))).toBeUndefined();
    expect(realmSessionOf('garbage')).toBeUndefined();
  });
});
