import { type DynamicModule, Module } from '@nestjs/common';
import type { BusClient, OutboxSignal } from '@np/messaging';
import type { Logger } from '@np/observability';
import type { Database } from '@np/persistence';
import { dataServiceProviders } from '@np/runtime';
import { AuthHandlers } from './auth.handlers.js';
import { CLOCK, type Clock, systemClock } from './clock.js';
import { CredentialRepository } from './credentials/credential.repository.js';
import { CredentialsService } from './credentials/credentials.service.js';
import { PasswordHasher } from './credentials/password-hasher.js';
import { UserDeletedConsumer } from './events/user-deleted.consumer.js';
import { UserUpdatedConsumer } from './events/user-updated.consumer.js';
import { identityProviders } from './identity/identity-provider-choice.js';
import { SigningKeyRepository } from './keys/signing-key.repository.js';
import { SigningKeysService } from './keys/signing-keys.service.js';
import { LoginService } from './login/login.service.js';
import { RefreshTokenRepository } from './refresh/refresh-token.repository.js';
import { RefreshTokensService } from './refresh/refresh-tokens.service.js';
import { RevocationRecorder } from './revocations/revocation-recorder.js';
import type { AuthSettings } from './settings.js';
import { LoginFailureRepository } from './throttle/login-failure.repository.js';
import { LoginThrottleService } from './throttle/login-throttle.service.js';
import { TokenIssuer } from './tokens/token-issuer.service.js';
import { UsersIdentityLookup } from './users/identity-lookup.js';

export interface AuthModuleDeps {
  db: Database;
  bus: BusClient;
  logger: Logger;
  settings: AuthSettings;
  /** Woken after each commit that wrote an event. */
  outbox: OutboxSignal;
  clock?: Clock;
}

@Module({})
export class AuthModule {
  static register(deps: AuthModuleDeps): DynamicModule {
    return {
      module: AuthModule,
      controllers: [AuthHandlers],
      providers: [
        ...dataServiceProviders(deps),
        { provide: CLOCK, useValue: deps.clock ?? systemClock },
        RevocationRecorder,
        SigningKeyRepository,
        SigningKeysService,
        TokenIssuer,
        UsersIdentityLookup,
        RefreshTokenRepository,
        RefreshTokensService,
        CredentialRepository,
        PasswordHasher,
        CredentialsService,
        LoginFailureRepository,
        LoginThrottleService,
        LoginService,
        UserDeletedConsumer,
        UserUpdatedConsumer,
        ...identityProviders(deps.settings),
      ],
      exports: [SigningKeysService],
    };
  }
}
