import { Inject, Injectable } from '@nestjs/common';
import { AppError, type LoginCommand, type TokenPair } from '@np/contracts';
import { IDENTITY_PROVIDER, type IdentityProvider } from '../identity/identity-provider.js';
import { LoginThrottleService } from '../throttle/login-throttle.service.js';

/**
 * Direct password login: reserve an attempt with the throttle, let the identity provider check the
 * password and open a session. The throttle stands in front of every provider, Keycloak included,
 * so a guesser is slowed down before the password reaches it.
 */
@Injectable()
export class LoginService {
  constructor(
    @Inject(LoginThrottleService) private readonly throttle: LoginThrottleService,
    @Inject(IDENTITY_PROVIDER) private readonly provider: Pick<IdentityProvider, 'signIn'>,
  ) {}

  async login({ email, password, ip }: LoginCommand): Promise<TokenPair> {
    const attempt = await this.throttle.reserve(email, ip);
    let pair: TokenPair | null;
    try {
      pair = await this.provider.signIn(email, password);
    } catch (error) {
      // The password was never judged (a lookup or the provider failed): the attempt must not count.
      await this.throttle.release(attempt);
      throw error;
    }
    // A wrong password keeps the reserved attempt: it already counts as the failure.
    if (!pair) throw new AppError('invalid_credentials', 'The email or password is wrong.');
    await this.throttle.succeeded(attempt);
    return pair;
  }
}
