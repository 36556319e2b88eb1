import { uuidSchema } from '@np/contracts';
import { decodeJwt } from 'jose';

/** The Keycloak session a refresh token belongs to, and its user. */
export interface RealmSession {
  sessionId: string;
  userId: string;
}

/**
 * Reads `sid` and `sub` of a Keycloak refresh token. The token is not verified here (Keycloak
 * signs refresh tokens with a secret of its own): call this only once Keycloak has accepted the
 * token, as its logout endpoint does. Undefined for a token without a session or a user id the
 * platform can name (the users module's ids are UUIDs).
 */
export function realmSessionOf(refreshToken: string): RealmSession | undefined {
  let claims: ReturnType<typeof decodeJwt>;
  try {
    claims = decodeJwt(refreshToken);
  } catch {
    return undefined;
  }
  const { sid, sub } = claims;
  if (typeof sid !== 'string' || sid.length === 0 || sid.length > 200) return undefined;
  if (!uuidSchema.safeParse(sub).success || sub === undefined) return undefined;
  return { sessionId: sid, userId: sub };
}
