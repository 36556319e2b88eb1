import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Identity } from '@np/users/contracts';
import { SETTINGS } from '@np/runtime';
import { SignJWT } from 'jose';
import { CLOCK, type Clock } from '../clock.js';
import { SIGNING_ALGORITHM } from '../keys/generate-signing-key.js';
import { SigningKeysService, type SigningKeySource } from '../keys/signing-keys.service.js';
import type { AuthSettings } from '../settings.js';

export type TokenSettings = Pick<AuthSettings, 'NP_ISSUER' | 'NP_AUDIENCE' | 'NP_TENANT' | 'NP_ACCESS_TOKEN_TTL_SECONDS'>;

export interface IssuedAccessToken {
  accessToken: string;
  expiresIn: number;
}

/** Where access tokens come from, for whoever hands out token pairs. */
export interface AccessTokenIssuer {
  /** `sessionId` becomes the token's `sid`: revoking the session revokes the token. */
  issue(identity: Identity, sessionId: string): Promise<IssuedAccessToken>;
}

/** Signs short-lived ES256 access tokens (RFC 9068 profile) carrying what the gateway needs to authorise a call. */
@Injectable()
export class TokenIssuer implements AccessTokenIssuer {
  constructor(
    @Inject(SigningKeysService) private readonly keys: SigningKeySource,
    @Inject(SETTINGS) private readonly settings: TokenSettings,
    @Inject(CLOCK) private readonly now: Clock,
  ) {}

  async issue(identity: Identity, sessionId: string): Promise<IssuedAccessToken> {
    const { kid, privateKey } = await this.keys.current();
    // NumericDate may carry fractions (RFC 7519 §2): millisecond precision lets a revocation
    // cut-off tell a token issued just before it from one issued just after.
    const issuedAt = this.now() / 1000;
    const expiresIn = this.settings.NP_ACCESS_TOKEN_TTL_SECONDS;
    const accessToken = await new SignJWT({
      tenant: this.settings.NP_TENANT,
      roles: identity.roles,
      email: identity.email,
      name: identity.displayName,
      sid: sessionId,
    })
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid, typ: 'at+jwt' })
      .setIssuer(this.settings.NP_ISSUER)
      .setAudience(this.settings.NP_AUDIENCE)
      .setSubject(identity.id)
      .setIssuedAt(issuedAt)
      .setExpirationTime(Math.floor(issuedAt) + expiresIn)
      .setJti(randomUUID())
      .sign(privateKey);
    return { accessToken, expiresIn };
  }
}
