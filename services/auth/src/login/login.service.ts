import { Inject, Injectable } from '@nestjs/common';
import { AppError, type LoginCommand, type TokenPair } from '@np/contracts';
import { type Identity } from '@np/users/contracts';
import { CredentialsService } from '../credentials/credentials.service.js';
import { RefreshTokensService } from '../refresh/refresh-tokens.service.js';
import { LoginThrottleService } from '../throttle/login-throttle.service.js';
import { type IdentityLookup, UsersIdentityLookup } from '../users/identity-lookup.js';

/** Direct password login: reserve an attempt with the throttle, find the user, check the password, open a session. */
@Injectable()
export class LoginService {
  constructor(
    @Inject(LoginThrottleService) private readonly throttle: LoginThrottleService,
    @Inject(UsersIdentityLookup) private readonly identities: IdentityLookup,
    @Inject(CredentialsService) private readonly credentials: CredentialsService,
    @Inject(RefreshTokensService) private readonly sessions: RefreshTokensService,
  ) {}

  async login({ email, password, ip }: LoginCommand): Promise<TokenPair> {
    const attempt = await this.throttle.reserve(email, ip);
    let identity: Identity | undefined;
    let valid: boolean;
    try {
      identity = await this.identities.byEmail(email);
      valid = await this.credentials.verify(identity?.id, password);
    } catch (error) {
      await this.throttle.release(attempt);
      throw error;
    }
    // A wrong password keeps the reserved attempt: it already counts as the failure.
    if (!identity || !valid) throw new AppError('invalid_credentials', 'The email or password is wrong.');
    await this.throttle.succeeded(attempt);
    return this.sessions.start(identity);
  }
}
