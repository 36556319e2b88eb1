import KeycloakAdminClient from '@keycloak/keycloak-admin-client';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import type { KeycloakAdminSettings } from '../../../src/infrastructure/identity/index.js';

/** The Keycloak of tools/servers-up.sh, from NP_KEYCLOAK_* (set by sourcing .local/servers.env). */
export function testKeycloakSettings(): KeycloakAdminSettings {
  const password = process.env.NP_KEYCLOAK_ADMIN_PASSWORD;
  if (!password) throw new Error('NP_KEYCLOAK_ADMIN_PASSWORD is not set: run tools/servers-up.sh and source .local/servers.env');
  return {
    url: process.env.NP_KEYCLOAK_URL ?? 'http://127.0.0.1:17880',
    username: process.env.NP_KEYCLOAK_ADMIN ?? 'np',
    password,
  };
}

/** An admin client of the test's own, for what a person would do by hand (delete a realm, a client...). */
export async function handAdmin(settings: KeycloakAdminSettings): Promise<KeycloakAdminClient> {
  const client = new KeycloakAdminClient({ baseUrl: settings.url, realmName: 'master' });
  await client.auth({ grantType: 'password', clientId: 'admin-cli', username: settings.username, password: settings.password });
  return client;
}

/** An admin client logged in as a confidential client's service account (client credentials), as the users module does. */
export async function serviceAccountAdmin(settings: KeycloakAdminSettings, realm: string, client: { clientId: string; secret: string }): Promise<KeycloakAdminClient> {
  const admin = new KeycloakAdminClient({ baseUrl: settings.url, realmName: realm });
  await admin.auth({ grantType: 'client_credentials', clientId: client.clientId, clientSecret: client.secret });
  return admin;
}

export function issuer(settings: KeycloakAdminSettings, realm: string): string {
  return `${settings.url}/realms/${encodeURIComponent(realm)}`;
}

export interface TokenAnswer {
  status: number;
  body: { access_token?: string; refresh_token?: string; error?: string; error_description?: string };
}

/** The password grant, as the gateway's `/v1/auth/login` sends it. */
export async function passwordGrant(
  settings: KeycloakAdminSettings,
  realm: string,
  client: { clientId: string; secret?: string },
  user: { username: string; password: string },
): Promise<TokenAnswer> {
  const form = new URLSearchParams({ grant_type: 'password', client_id: client.clientId, username: user.username, password: user.password, scope: 'openid' });
  if (client.secret) form.set('client_secret', client.secret);
  const response = await fetch(`${issuer(settings, realm)}/protocol/openid-connect/token`, { method: 'POST', body: form });
  return { status: response.status, body: (await response.json()) as TokenAnswer['body'] };
}

/** Verifies a token's signature against the realm's JWKS and its issuer; returns its claims. */
export async function verifyWithRealm(settings: KeycloakAdminSettings, realm: string, token: string, audience?: string): Promise<JWTPayload> {
  const jwks = createRemoteJWKSet(new URL(`${issuer(settings, realm)}/protocol/openid-connect/certs`));
  const { payload } = await jwtVerify(token, jwks, { issuer: issuer(settings, realm), ...(audience ? { audience } : {}) });
  return payload;
}

/** Cookies a browser would keep between the login page and the form post. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  keep(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      if (at > 0) this.cookies.set(pair!.slice(0, at).trim(), pair!.slice(at + 1).trim());
    }
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

function decodeHtml(text: string): string {
  return text.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>');
}

/**
 * Authorization code + PKCE as a browser app does it, driven by openid-client: discovery, the
 * authorization URL with an S256 challenge, the login form filled in and posted (with its cookies),
 * the redirect to `redirectUri` caught, the code exchanged for tokens.
 */
export async function authorizationCodeLogin(
  settings: KeycloakAdminSettings,
  realm: string,
  clientId: string,
  redirectUri: string,
  user: { username: string; password: string },
): Promise<{ accessToken: string; idToken: string | undefined }> {
  const config = await oidc.discovery(new URL(issuer(settings, realm)), clientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid',
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const jar = new CookieJar();
  let answer = await fetch(url, { redirect: 'manual' });
  // Organizations make the login identity-first (a username page, then a password page): each form
  // shown is filled in and posted until Keycloak redirects to the app.
  for (let form = 0; answer.status === 200 && form < 3; form++) {
    jar.keep(answer);
    const html = await answer.text();
    const action = /<form[^>]*\saction="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`no login form at ${answer.url}: ${html.slice(0, 300)}`);
    answer = await fetch(decodeHtml(action), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: user.username, password: user.password, credentialId: '' }),
    });
  }
  const location = answer.headers.get('location');
  if (answer.status !== 302 || !location?.startsWith(redirectUri)) {
    throw new Error(`the login answered ${answer.status}, location ${location ?? 'none'}: ${(await answer.text()).slice(0, 300)}`);
  }
  const tokens = await oidc.authorizationCodeGrant(config, new URL(location), { pkceCodeVerifier: verifier, expectedState: state });
  return { accessToken: tokens.access_token, idToken: tokens.id_token };
}

/** The redirect Keycloak answers an authorization request without a PKCE challenge with. */
export async function authorizationWithoutPkce(settings: KeycloakAdminSettings, realm: string, clientId: string, redirectUri: string): Promise<URL> {
  const url = new URL(`${issuer(settings, realm)}/protocol/openid-connect/auth`);
  url.search = new URLSearchParams({ client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', state: 's' }).toString();
  const response = await fetch(url, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (!location) throw new Error(`no redirect for an authorization request without PKCE (${response.status})`);
  return new URL(location);
}
