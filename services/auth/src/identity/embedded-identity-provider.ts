import { Inject, Injectable } from '@nestjs/common';
import type { DiscoveryDocument, Jwks, TokenPair } from '@np/contracts';
import { SETTINGS } from '@np/runtime';
import { CredentialsService } from '../credentials/credentials.service.js';
import { discoveryDocument } from '../discovery.js';
import { SigningKeysService } from '../keys/signing-keys.service.js';
import { RefreshTokensService } from '../refresh/refresh-tokens.service.js';
import type { AuthSettings } from '../settings.js';
import { type IdentityLookup, UsersIdentityLookup } from '../users/identity-lookup.js';
import type { IdentityProvider } from './identity-provider.js';

/**
 * The auth module's own OpenID issuer: argon2id passwords, rotating refresh tokens and ES256
 * access tokens signed with keys kept in its schema; users' identities come from the users module.
 */
@Injectable()
export class EmbeddedIdentityProvider implements IdentityProvider {
  constructor(
    @Inject(UsersIdentityLookup) private readonly identities: IdentityLookup,
    @Inject(CredentialsService) private readonly credentials: CredentialsService,
    @Inject(RefreshTokensService) private readonly sessions: RefreshTokensService,
    @Inject(SigningKeysService) private readonly keys: Pick<SigningKeysService, 'jwks'>,
    @Inject(SETTINGS) private readonly settings: Pick<AuthSettings, 'NP_ISSUER' | 'NP_PUBLIC_URL'>,
  ) {}

  async signIn(email: string, password: string): Promise<TokenPair | null> {
    const identity = await this.identities.byEmail(email);
    // An unknown email still costs a hash check, so the answer's timing does not reveal it.
    const valid = await this.credentials.verify(identity?.id, password);
    if (!identity || !valid) return null;
    return this.sessions.start(identity);
  }

  refresh(refreshToken: string): Promise<TokenPair> {
    return this.sessions.refresh(refreshToken);
  }

  signOut(refreshToken: string): Promise<void> {
    return this.sessions.logout(refreshToken);
  }

  confirmPassword(userId: string, password: string): Promise<void> {
    return this.credentials.confirm(userId, password);
  }

  setPassword(userId: string, password: string, keepSessionId?: string): Promise<void> {
    return this.credentials.set(userId, password, keepSessionId);
  }

  jwks(): Promise<Jwks> {
    return this.keys.jwks();
  }

  discovery(): Promise<DiscoveryDocument> {
    return Promise.resolve(discoveryDocument(this.settings));
  }
}
