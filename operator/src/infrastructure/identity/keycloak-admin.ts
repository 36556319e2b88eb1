import { types } from 'node:util';
import KeycloakAdminClient, { NetworkError } from '@keycloak/keycloak-admin-client';
import { ServerUnavailableError, type ServerCalls } from '../provisioner.js';

/** Where Keycloak's admin API is and who the operator logs in as (a user of `realm`, by default master). */
export interface KeycloakAdminSettings {
  /** Keycloak's base URL, e.g. `http://127.0.0.1:17880` (NP_KEYCLOAK_URL). */
  url: string;
  username: string;
  password: string;
  /** The realm the admin user lives in. Default `master`. */
  realm?: string;
  /** The client its password grant goes through. Default `admin-cli`. */
  clientId?: string;
  /** Per request, in milliseconds. Default 10000. */
  timeoutMs?: number;
}

/** What Keycloak said: its error code and, for OAuth errors, the description beside it. */
function serverMessage(error: NetworkError): string {
  const data: unknown = error.responseData;
  const description = typeof data === 'object' && data !== null && 'error_description' in data ? data.error_description : undefined;
  return typeof description === 'string' && description !== error.message ? `${error.message}: ${description}` : error.message;
}

/** Keycloak answered 409: the thing was created in the meantime (another reconcile, a person). */
export class KeycloakConflict extends Error {
  override readonly name = 'KeycloakConflict';
}

/**
 * The admin client with the provisioner's bookkeeping: every request goes through `read` or
 * `write`, which count it (the counts are the `calls` of the Provisioner interface) and turn
 * failures into ServerUnavailableError carrying what Keycloak said. The admin login is renewed when
 * its token is about to expire (master's admin tokens live 60 s) and counted as a read: it changes
 * nothing the provisioner manages.
 */
export class KeycloakAdmin {
  readonly calls: ServerCalls = { reads: 0, writes: 0 };
  readonly client: KeycloakAdminClient;
  readonly url: string;

  constructor(private readonly settings: KeycloakAdminSettings) {
    this.url = settings.url.replace(/\/+$/, '');
    this.client = new KeycloakAdminClient({
      baseUrl: this.url,
      realmName: settings.realm ?? 'master',
      timeout: settings.timeoutMs ?? 10_000,
    });
    this.client.registerTokenProvider({ getAccessToken: () => this.accessToken() });
  }

  read<T>(request: (client: KeycloakAdminClient) => Promise<T>): Promise<T> {
    this.calls.reads++;
    return this.send(request);
  }

  write<T>(request: (client: KeycloakAdminClient) => Promise<T>): Promise<T> {
    this.calls.writes++;
    return this.send(request);
  }

  private async send<T>(request: (client: KeycloakAdminClient) => Promise<T>): Promise<T> {
    try {
      return await request(this.client);
    } catch (error) {
      throw this.translate(error);
    }
  }

  private async accessToken(): Promise<string | undefined> {
    if (!this.client.accessToken || this.client.isTokenExpired()) {
      this.calls.reads++;
      try {
        await this.client.auth({
          grantType: 'password',
          clientId: this.settings.clientId ?? 'admin-cli',
          username: this.settings.username,
          password: this.settings.password,
        });
      } catch (error) {
        throw this.translate(error, 'the admin login');
      }
    }
    return this.client.accessToken;
  }

  private translate(error: unknown, what = 'a request'): Error {
    if (error instanceof ServerUnavailableError || error instanceof KeycloakConflict) return error;
    if (error instanceof NetworkError) {
      const status = error.response.status;
      if (status === 409) return new KeycloakConflict(error.message);
      return new ServerUnavailableError('identity', `Keycloak at ${this.url} refused ${what} (${status}): ${serverMessage(error)}`, { cause: error });
    }
    // fetch's errors may come from another realm (a test sandbox): recognised by name, not by class.
    if (!types.isNativeError(error)) return new Error(String(error));
    if (error.name === 'TimeoutError' || error.name === 'AbortError') {
      return new ServerUnavailableError('identity', `Keycloak at ${this.url} did not answer ${what} in time: ${error.message}`, { cause: error });
    }
    if (error.name === 'TypeError' && error.message === 'fetch failed') {
      // The socket's error (ECONNREFUSED, ENOTFOUND...) is the cause.
      const cause = types.isNativeError(error.cause) ? `: ${error.cause.message}` : '';
      return new ServerUnavailableError('identity', `Keycloak at ${this.url} is unreachable (${error.message}${cause})`, { cause: error });
    }
    return error;
  }
}
