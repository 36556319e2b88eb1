import { Inject, Injectable } from '@nestjs/common';
import { AppError, type DiscoveryDocument, type Jwks, type TokenPair } from '@np/contracts';
import type { Logger } from '@np/observability';
import type { Database } from '@np/persistence';
import { DATABASE, LOGGER } from '@np/runtime';
import { CLOCK, type Clock } from '../clock.js';
import { RevocationRecorder } from '../revocations/revocation-recorder.js';
import { type IdentityLookup, UsersIdentityLookup } from '../users/identity-lookup.js';
import type { IdentityProvider } from '../identity/identity-provider.js';
import { KeycloakRealmClient } from './keycloak-realm-client.js';
import { realmSessionOf } from './realm-session.js';

/**
 * A Keycloak realm as the identity provider (the cluster shape). Sign-in and refresh go through
 * the realm's direct grant with the gateway's confidential client, so `/v1/auth/login` and
 * `/v1/auth/refresh` keep their contract; the tokens are the realm's own (the gateways verify them
 * with its JWKS). Sign-out ends the Keycloak session and records its revocation like the embedded
 * issuer does, so the session's access tokens are refused at once, not when they expire.
 * Passwords live in the realm: the users module sets them there.
 */
@Injectable()
export class KeycloakIdentityProvider implements IdentityProvider {
  constructor(
    @Inject(KeycloakRealmClient) private readonly realm: KeycloakRealmClient,
    @Inject(UsersIdentityLookup) private readonly identities: IdentityLookup,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(RevocationRecorder) private readonly revocations: RevocationRecorder,
    @Inject(CLOCK) private readonly now: Clock,
    @Inject(LOGGER) private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  async signIn(email: string, password: string): Promise<TokenPair | null> {
    const outcome = await this.realm.passwordGrant(email, password);
    return outcome === 'invalid_grant' ? null : outcome;
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const outcome = await this.realm.refreshGrant(refreshToken);
    // Expired, ended, its user deleted or disabled: Keycloak says invalid_grant to all of them.
    if (outcome === 'invalid_grant') throw new AppError('refresh_token_invalid', 'The refresh token is invalid or expired.');
    return outcome;
  }

  async signOut(refreshToken: string): Promise<void> {
    if (!(await this.realm.endSession(refreshToken))) return;
    // Keycloak accepted the token, so its claims are Keycloak's: the session it names is revoked.
    const session = realmSessionOf(refreshToken);
    if (!session) return;
    const now = new Date(this.now());
    const recorded = await this.db.em.fork().transactional((em) => this.revocations.sessionRevokedOnceIn(em, session.userId, session.sessionId, now));
    if (recorded) this.revocations.announce();
  }

  async confirmPassword(userId: string, password: string): Promise<void> {
    const identity = await this.identities.byId(userId);
    const outcome = identity ? await this.realm.passwordGrant(identity.email, password) : 'invalid_grant';
    if (outcome === 'invalid_grant') throw new AppError('current_password_invalid', 'The current password is wrong.');
    // The check opened a session nobody holds; ending it is tidiness, so a failure is only logged.
    await this.realm.endSession(outcome.refresh_token).catch((error: unknown) => {
      this.logger.warn({ err: error, userId }, 'could not end the Keycloak session of a password check');
    });
  }

  setPassword(): Promise<void> {
    return Promise.reject(new AppError('conflict', 'Passwords are kept by the Keycloak realm here; the users module sets them there.'));
  }

  jwks(): Promise<Jwks> {
    return this.realm.jwks();
  }

  discovery(): Promise<DiscoveryDocument> {
    return this.realm.discovery();
  }
}
