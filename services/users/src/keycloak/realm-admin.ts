import { types } from 'node:util';
import KeycloakAdminClient, { NetworkError } from '@keycloak/keycloak-admin-client';
import { Inject, Injectable } from '@nestjs/common';
import { keycloakRealmOf } from '@np/config';
import { AppError } from '@np/contracts';
import type { Logger } from '@np/observability';
import { LOGGER, SETTINGS } from '@np/runtime';
import type { UsersSettings } from '../settings.js';

type RealmAdminSettings = Pick<UsersSettings, 'NP_KEYCLOAK_URL' | 'NP_KEYCLOAK_REALM' | 'NP_KEYCLOAK_USERS_CLIENT_ID' | 'NP_KEYCLOAK_USERS_CLIENT_SECRET' | 'NP_RPC_TIMEOUT_MS'>;

/** Keycloak answered 409: a user with that username or email exists. */
export class RealmConflict extends Error {
  override readonly name = 'RealmConflict';
}

/** Keycloak refused the request's content (400): a password policy, a value its user profile does not accept. */
export class RealmRefusal extends Error {
  override readonly name = 'RealmRefusal';
}

/**
 * The realm's admin API (`@keycloak/keycloak-admin-client`) as the realm's `users` client: client
 * credentials, whose service account holds only realm-management's manage-users, view-users and
 * query-users. Its token is renewed when it expires (one renewal at a time). Every request goes
 * through `call`: a 409 becomes `RealmConflict`, a 400 `RealmRefusal`, and Keycloak down, slow or
 * refusing the client becomes `identity_provider_unavailable` (503) naming what failed, never a 500.
 */
@Injectable()
export class RealmAdmin {
  readonly realm: string;
  private readonly client: KeycloakAdminClient;
  private signingIn: Promise<void> | undefined;

  constructor(
    @Inject(SETTINGS) private readonly settings: RealmAdminSettings,
    @Inject(LOGGER) private readonly logger: Pick<Logger, 'warn' | 'error'>,
  ) {
    const { url, realm } = keycloakRealmOf(settings);
    this.realm = realm;
    this.client = new KeycloakAdminClient({ baseUrl: url, realmName: realm, timeout: Math.max(500, Math.floor(settings.NP_RPC_TIMEOUT_MS * 0.8)) });
    this.client.registerTokenProvider({ getAccessToken: () => this.accessToken() });
  }

  async call<T>(what: string, request: (kc: KeycloakAdminClient, realm: string) => Promise<T>): Promise<T> {
    try {
      return await request(this.client, this.realm);
    } catch (error) {
      throw this.translate(what, error);
    }
  }

  private async accessToken(): Promise<string | undefined> {
    if (!this.client.accessToken || this.client.isTokenExpired()) {
      this.signingIn ??= this.signIn().finally(() => {
        this.signingIn = undefined;
      });
      await this.signingIn;
    }
    return this.client.accessToken;
  }

  private async signIn(): Promise<void> {
    const clientSecret = this.settings.NP_KEYCLOAK_USERS_CLIENT_SECRET;
    if (clientSecret === undefined) throw new Error('NP_KEYCLOAK_USERS_CLIENT_SECRET is required when NP_IDENTITY_PROVIDER is keycloak');
    try {
      await this.client.auth({ grantType: 'client_credentials', clientId: this.settings.NP_KEYCLOAK_USERS_CLIENT_ID, clientSecret });
    } catch (error) {
      const translated = this.translate('the sign-in of the users client', error);
      // A refused sign-in is the client's configuration (its secret, its service account), never the caller's request.
      throw translated instanceof RealmConflict || translated instanceof RealmRefusal ? unavailable(`Keycloak refused the sign-in of the users client: ${translated.message}`) : translated;
    }
  }

  private translate(what: string, error: unknown): Error {
    if (error instanceof AppError || error instanceof RealmConflict || error instanceof RealmRefusal) return error;
    if (error instanceof NetworkError) {
      const status = error.response.status;
      const said = keycloakMessage(error.responseData) ?? error.message;
      if (status === 409) return new RealmConflict(said);
      if (status === 400) return new RealmRefusal(said);
      this.logger.error({ realm: this.realm, status, said }, `Keycloak refused ${what}`);
      return unavailable(`Keycloak refused ${what} (${status})`);
    }
    if (types.isNativeError(error) && ['TimeoutError', 'AbortError', 'TypeError'].includes(error.name)) {
      // fetch's own failures: the connection was refused, the name did not resolve, the time ran out.
      this.logger.warn({ realm: this.realm, err: error }, `Keycloak did not answer ${what}`);
      return unavailable(`Keycloak did not answer ${what}`);
    }
    return types.isNativeError(error) ? error : new Error(String(error));
  }
}

function unavailable(reason: string): AppError {
  return new AppError('identity_provider_unavailable', `The identity provider is unavailable: ${reason}; try again shortly.`);
}

/** Keycloak's own words: `errorMessage` of the admin API, or an OAuth `error_description`/`error`. */
function keycloakMessage(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  for (const key of ['errorMessage', 'error_description', 'error'] as const) {
    const value: unknown = (data as Record<string, unknown>)[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}
