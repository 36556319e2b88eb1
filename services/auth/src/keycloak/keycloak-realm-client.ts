import { Inject, Injectable } from '@nestjs/common';
import { keycloakRealmOf } from '@np/config';
import { AppError, type DiscoveryDocument, discoveryDocumentSchema, type Jwks, jwksSchema, type TokenPair } from '@np/contracts';
import type { Logger } from '@np/observability';
import { LOGGER, SETTINGS } from '@np/runtime';
import * as oidc from 'openid-client';
import type { AuthSettings } from '../settings.js';

type RealmClientSettings = Pick<
  AuthSettings,
  'NP_KEYCLOAK_URL' | 'NP_KEYCLOAK_REALM' | 'NP_KEYCLOAK_CLIENT_ID' | 'NP_KEYCLOAK_CLIENT_SECRET' | 'NP_ISSUER' | 'NP_RPC_TIMEOUT_MS'
>;

/** What Keycloak said to a grant: tokens, or `invalid_grant` (wrong password, dead refresh token). */
export type GrantOutcome = TokenPair | 'invalid_grant';

/** The realm's metadata and keys are read again after this long (a key rotation in the realm reaches clients). */
const METADATA_TTL_MS = 5 * 60_000;
const JWKS_TTL_MS = 60_000;

interface Cached<T> {
  value: T;
  at: number;
}

/**
 * The realm's OpenID endpoints as the gateway's confidential client uses them, through
 * `openid-client` (client authentication, token response validation and OAuth error parsing done
 * by a maintained, certified library). The discovery document is fetched here rather than by
 * `oidc.discovery`, which insists the realm's issuer equal the URL it was fetched from: behind a
 * Keycloak with a public hostname, auth reaches it at an internal URL. The issuer must then equal
 * `NP_ISSUER`, which every verifier checks tokens against.
 *
 * Requests time out at 80 % of `NP_RPC_TIMEOUT_MS`, so a slow Keycloak is answered with
 * `identity_provider_unavailable` before the caller's own bus call gives up.
 */
@Injectable()
export class KeycloakRealmClient {
  private readonly realmUrl: string;
  private readonly timeoutMs: number;
  private config: Cached<oidc.Configuration> | undefined;
  private keys: Cached<Jwks> | undefined;

  constructor(
    @Inject(SETTINGS) private readonly settings: RealmClientSettings,
    @Inject(LOGGER) private readonly logger: Pick<Logger, 'warn' | 'error'>,
  ) {
    const { url, realm } = keycloakRealmOf(settings);
    this.realmUrl = `${url}/realms/${encodeURIComponent(realm)}`;
    this.timeoutMs = Math.max(500, Math.floor(settings.NP_RPC_TIMEOUT_MS * 0.8));
  }

  /** The direct grant (resource owner password credentials) of the confidential client. */
  async passwordGrant(username: string, password: string): Promise<GrantOutcome> {
    const config = await this.configuration();
    return this.grant('the sign-in', () => oidc.genericGrantRequest(config, 'password', { username, password }));
  }

  async refreshGrant(refreshToken: string): Promise<GrantOutcome> {
    const config = await this.configuration();
    return this.grant('the refresh', () => oidc.refreshTokenGrant(config, refreshToken));
  }

  /**
   * Ends the Keycloak session a refresh token belongs to (the realm's logout endpoint, back
   * channel). True when Keycloak accepted the token: it checked its signature, so its claims can
   * be trusted. False for a token Keycloak does not recognise.
   */
  async endSession(refreshToken: string): Promise<boolean> {
    const config = await this.configuration();
    const endpoint = config.serverMetadata().end_session_endpoint;
    if (!endpoint) throw unavailable('the realm publishes no end_session_endpoint');
    const body = new URLSearchParams({
      client_id: this.settings.NP_KEYCLOAK_CLIENT_ID,
      client_secret: this.secret(),
      refresh_token: refreshToken,
    });
    const response = await this.fetch('the sign-out', endpoint, { method: 'POST', body });
    if (response.ok) return true;
    const answer = await oauthError(response);
    if (response.status === 400 && answer === 'invalid_grant') return false;
    throw this.refused('the sign-out', `${response.status} ${answer ?? ''}`.trim());
  }

  /** The realm's discovery document, whole (authorization endpoint, PKCE methods...). */
  async discovery(): Promise<DiscoveryDocument> {
    const config = await this.configuration();
    return discoveryDocumentSchema.parse(config.serverMetadata());
  }

  /** The realm's public keys (its `jwks_uri`), cached for a minute. */
  async jwks(): Promise<Jwks> {
    if (this.keys && Date.now() - this.keys.at < JWKS_TTL_MS) return this.keys.value;
    const config = await this.configuration();
    const uri = config.serverMetadata().jwks_uri;
    if (!uri) throw unavailable('the realm publishes no jwks_uri');
    const parsed = jwksSchema.safeParse(await this.json('the realm keys', uri));
    if (!parsed.success) throw this.refused('the realm keys', 'not a JSON Web Key Set');
    this.keys = { value: parsed.data, at: Date.now() };
    return parsed.data;
  }

  private async grant(what: string, request: () => Promise<oidc.TokenEndpointResponse>): Promise<GrantOutcome> {
    let answer: oidc.TokenEndpointResponse;
    try {
      answer = await request();
    } catch (error) {
      if (error instanceof oidc.ResponseBodyError && error.error === 'invalid_grant') return 'invalid_grant';
      throw this.failure(what, error);
    }
    if (!answer.refresh_token || answer.expires_in === undefined || answer.expires_in <= 0) {
      throw this.refused(what, 'a token response without refresh token or lifetime');
    }
    return { access_token: answer.access_token, refresh_token: answer.refresh_token, token_type: 'Bearer', expires_in: Math.floor(answer.expires_in) };
  }

  private async configuration(): Promise<oidc.Configuration> {
    if (this.config && Date.now() - this.config.at < METADATA_TTL_MS) return this.config.value;
    const metadata = await this.json('the realm discovery document', `${this.realmUrl}/.well-known/openid-configuration`);
    const parsed = discoveryDocumentSchema.safeParse(metadata);
    if (!parsed.success) throw this.refused('the realm discovery document', 'not an OpenID Connect discovery document');
    if (parsed.data.issuer !== this.settings.NP_ISSUER) {
      // Tokens of this realm would fail every verifier: say so instead of handing them out.
      this.logger.error({ realmIssuer: parsed.data.issuer, expected: this.settings.NP_ISSUER }, 'the Keycloak realm issues tokens under another issuer than NP_ISSUER');
      throw unavailable(`the realm issues tokens as ${parsed.data.issuer}, but NP_ISSUER is ${this.settings.NP_ISSUER}`);
    }
    const config = new oidc.Configuration(parsed.data as oidc.ServerMetadata, this.settings.NP_KEYCLOAK_CLIENT_ID, undefined, oidc.ClientSecretPost(this.secret()));
    config.timeout = this.timeoutMs / 1000;
    // The operator hands auth the URL it reaches Keycloak at; plain HTTP is its choice (in-cluster, loopback).
    if (new URL(this.realmUrl).protocol === 'http:') oidc.allowInsecureRequests(config);
    this.config = { value: config, at: Date.now() };
    return config;
  }

  private async json(what: string, url: string): Promise<unknown> {
    const response = await this.fetch(what, url, { method: 'GET', headers: { accept: 'application/json' } });
    if (!response.ok) throw this.refused(what, String(response.status));
    try {
      return await response.json();
    } catch (error) {
      throw this.failure(what, error);
    }
  }

  private async fetch(what: string, url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw this.failure(what, error);
    }
  }

  private secret(): string {
    const secret = this.settings.NP_KEYCLOAK_CLIENT_SECRET;
    if (secret === undefined) throw new Error('NP_KEYCLOAK_CLIENT_SECRET is required when NP_IDENTITY_PROVIDER is keycloak');
    return secret;
  }

  /** Keycloak answered, but not as a working realm does (a wrong client secret, a server error). */
  private refused(what: string, answer: string): AppError {
    this.logger.error({ realm: this.realmUrl, answer }, `Keycloak refused ${what}`);
    return unavailable(`Keycloak refused ${what} (${answer})`);
  }

  /** Keycloak did not answer, or answered something openid-client would not accept. */
  private failure(what: string, error: unknown): AppError {
    if (error instanceof AppError) return error;
    if (error instanceof oidc.ResponseBodyError) return this.refused(what, `${error.status} ${error.error}`);
    this.logger.warn({ realm: this.realmUrl, err: error }, `Keycloak did not answer ${what}`);
    return unavailable(`Keycloak did not answer ${what}`);
  }
}

function unavailable(reason: string): AppError {
  return new AppError('identity_provider_unavailable', `The identity provider is unavailable: ${reason}; try again shortly.`);
}

/** The OAuth `error` of an error response, if it has one. */
async function oauthError(response: Response): Promise<string | undefined> {
  const body: unknown = await response.json().catch(() => undefined);
  return typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'string' ? body.error : undefined;
}
