import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError, type TokenPair } from '@np/contracts';
import { type Identity } from '@np/users/contracts';
import type { Logger } from '@np/observability';
import { LOGGER, SETTINGS } from '@np/runtime';
import { CLOCK, type Clock } from '../clock.js';
import type { AuthSettings } from '../settings.js';
import { type AccessTokenIssuer, TokenIssuer } from '../tokens/token-issuer.service.js';
import { type IdentityLookup, UsersIdentityLookup } from '../users/identity-lookup.js';
import { classifyRefreshToken, hashRefreshToken, newFamilySecret, newRefreshTokenValue, successorOf } from './refresh-token-rules.js';
import { type NewRefreshToken, RefreshTokenRepository, type RefreshTokenStore } from './refresh-token.repository.js';

type RefreshSettings = Pick<AuthSettings, 'NP_REFRESH_TOKEN_TTL_SECONDS' | 'NP_REFRESH_REUSE_GRACE_SECONDS'>;

/**
 * Token pairs: a new refresh-token family (a session) at login, rotation on every refresh (each
 * refresh token works once), and family revocation on reuse or logout. Access tokens name their
 * session (`sid`), so ending a session also ends its access tokens at the gateways. Two refreshes
 * of one token within the grace window (two tabs) both get the same new refresh token.
 */
@Injectable()
export class RefreshTokensService {
  constructor(
    @Inject(RefreshTokenRepository) private readonly store: RefreshTokenStore,
    @Inject(UsersIdentityLookup) private readonly identities: IdentityLookup,
    @Inject(TokenIssuer) private readonly issuer: AccessTokenIssuer,
    @Inject(SETTINGS) private readonly settings: RefreshSettings,
    @Inject(CLOCK) private readonly now: Clock,
    @Inject(LOGGER) private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  /** Opens a new session (refresh-token family) for a user who just proved who they are. */
  async start(identity: Identity): Promise<TokenPair> {
    const refreshToken = newRefreshTokenValue();
    const now = new Date(this.now());
    const familyId = randomUUID();
    await this.store.insert(this.newToken(refreshToken, identity.id, familyId, newFamilySecret(), now), now);
    return this.pair(identity, refreshToken, familyId);
  }

  async refresh(presented: string): Promise<TokenPair> {
    const now = new Date(this.now());
    const graceMs = this.settings.NP_REFRESH_REUSE_GRACE_SECONDS * 1000;
    const tokenHash = hashRefreshToken(presented);
    const found = await this.store.findByHash(tokenHash);
    if (!found) throw invalidRefreshToken();
    const state = classifyRefreshToken(found, now, graceMs);
    if (state === 'reused') return this.onReuse(found.familyId, found.userId, now);
    if (state === 'invalid' || !found.familySecret) throw invalidRefreshToken();
    // Read the user before locking anything: roles must be current and a deleted user ends the session.
    const identity = await this.identities.byId(found.userId);
    if (!identity) {
      await this.store.revokeFamily(found.familyId, now);
      throw invalidRefreshToken();
    }
    const familySecret = found.familySecret;
    const refreshToken = successorOf(presented, familySecret);
    const outcome = await this.store.rotate(tokenHash, now, graceMs, (current) =>
      this.newToken(refreshToken, current.userId, current.familyId, familySecret, now),
    );
    if (outcome === 'reused') return this.onReuse(found.familyId, found.userId, now);
    if (outcome === 'invalid') throw invalidRefreshToken();
    return this.pair(identity, refreshToken, found.familyId);
  }

  /** Ends the session the token belongs to; unknown tokens are ignored so the answer reveals nothing. */
  async logout(presented: string): Promise<void> {
    const found = await this.store.findByHash(hashRefreshToken(presented));
    if (found) await this.store.revokeFamily(found.familyId, new Date(this.now()));
  }

  private async onReuse(familyId: string, userId: string, now: Date): Promise<never> {
    await this.store.revokeFamily(familyId, now); // rotate() already did when it saw the reuse; a second time is a no-op
    this.logger.warn({ familyId, userId }, 'refresh token reused; session revoked');
    throw reusedRefreshToken();
  }

  private newToken(value: string, userId: string, familyId: string, familySecret: string, now: Date): NewRefreshToken {
    return {
      id: randomUUID(),
      familyId,
      userId,
      tokenHash: hashRefreshToken(value),
      expiresAt: new Date(now.getTime() + this.settings.NP_REFRESH_TOKEN_TTL_SECONDS * 1000),
      familySecret,
    };
  }

  private async pair(identity: Identity, refreshToken: string, sessionId: string): Promise<TokenPair> {
    const { accessToken, expiresIn } = await this.issuer.issue(identity, sessionId);
    return { access_token: accessToken, refresh_token: refreshToken, token_type: 'Bearer', expires_in: expiresIn };
  }
}

function invalidRefreshToken(): AppError {
  return new AppError('refresh_token_invalid', 'The refresh token is invalid or expired.');
}

function reusedRefreshToken(): AppError {
  return new AppError('refresh_token_reused', 'The refresh token was already used; the session has been revoked.');
}
