import { Inject, Injectable } from '@nestjs/common';
import { AppError, type LoginCommand, type TokenPair } from '@np/contracts';
import { CredentialsService } from '../credentials/credentials.service.js';
import { RefreshTokensService } from '../refresh/refresh-tokens.service.js';
import { LoginThrottleService } from '../throttle/login-throttle.service.js';
import { type IdentityLookup, UsersIdentityLookup } from '../users/identity-lookup.js';

/** Direct password login: throttle, find the user, check the password, open a session. */
@Injectable()
export class LoginService {
  constructor(
    @Inject(LoginThrottleService) private readonly throttle: LoginThrottleService,
    @Inject(UsersIdentityLookup) private readonly identities: IdentityLookup,
    @Inject(CredentialsService) private readonly credentials: CredentialsService,
    @Inject(RefreshTokensService) private readonly sessions: RefreshTokensService,
  ) {}

  async login({ email, password, ip }: LoginCommand): Promise<TokenPair> {
    await this.throttle.assertAllowed(email, ip);
    const identity = await this.identities.byEmail(email);
    const valid = await this.credentials.verify(identity?.id, password);
    if (!identity || !valid) {
      await this.throttle.recordFailure(email, ip);
      throw new AppError('invalid_credentials', 'The email or password is wrong.');
    }
    await this.throttle.recordSuccess(email);
    return this.sessions.start(identity);
  }
}
