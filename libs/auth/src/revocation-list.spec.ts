import { describe, expect, it } from '@jest/globals';
import { RevocationList } from './revocation-list.js';

const ADA = '7d4f3a5e-1c2b-4a8e-9f0d-3b6c5a4e2d1f';
const at = (iso: string) => Date.parse(iso) / 1000;

describe('RevocationList', () => {
  it('refuses every token of a revoked session, and only those', () => {
    const list = new RevocationList();
    list.revokeSession({ sessionId: 's1', userId: ADA, expiresAt: '2099-01-01T00:00:00Z' });
    expect(list.isRevoked({ sub: ADA, sid: 's1', iat: at('2026-01-01T00:00:00Z') })).toBe(true);
    expect(list.isRevoked({ sub: ADA, sid: 's2', iat: at('2026-01-01T00:00:00Z') })).toBe(false);
  });

  it('refuses a user’s tokens issued before the cut-off, to the millisecond, and keeps the latest cut-off', () => {
    const list = new RevocationList();
    list.cutOffUser({ userId: ADA, notBefore: '2026-01-01T12:00:00.500Z', expiresAt: '2099-01-01T00:00:00Z' });
    list.cutOffUser({ userId: ADA, notBefore: '2026-01-01T11:00:00.000Z', expiresAt: '2099-01-01T00:00:00Z' });
    expect(list.isRevoked({ sub: ADA, iat: at('2026-01-01T12:00:00.499Z') })).toBe(true);
    expect(list.isRevoked({ sub: ADA, iat: at('2026-01-01T12:00:00.500Z') })).toBe(false);
    // A whole-second iat inside the cut-off's second is refused: the safe side.
    expect(list.isRevoked({ sub: ADA, iat: at('2026-01-01T12:00:00Z') })).toBe(true);
  });

  it('merges a snapshot without losing what events already told it, and forgets expired entries', () => {
    let now = Date.parse('2026-01-01T12:00:00Z');
    const list = new RevocationList(() => now);
    list.revokeSession({ sessionId: 'from-event', userId: ADA, expiresAt: '2026-01-01T12:20:00Z' });
    list.merge({ sessions: [{ sessionId: 'from-snapshot', userId: ADA, expiresAt: '2026-01-01T12:10:00Z' }], users: [] });
    expect(list.size).toBe(2);
    now = Date.parse('2026-01-01T12:15:00Z');
    list.prune();
    expect(list.size).toBe(1);
    expect(list.isRevoked({ sub: ADA, sid: 'from-event', iat: at('2026-01-01T11:59:00Z') })).toBe(true);
  });
});
