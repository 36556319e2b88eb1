import type { DiscoveryDocument, Jwks, TokenPair } from '@np/contracts';

/**
 * Who signs users in and issues their tokens. Two implementations, chosen by
 * `NP_IDENTITY_PROVIDER` (`identity-provider-choice.ts`): the auth module's own issuer
 * (`embedded`, the default) and a Keycloak realm (`keycloak`, the cluster shape). The bus
 * contract and the HTTP routes are the same for both; login throttling, revocations and the
 * user events stay in auth in front of either.
 */
export interface IdentityProvider {
  /** Checks the password and opens a session; null when the email or the password is wrong. */
  signIn(email: string, password: string): Promise<TokenPair | null>;
  /** A new token pair for a live session; `refresh_token_invalid` (or `_reused`) otherwise. */
  refresh(refreshToken: string): Promise<TokenPair>;
  /** Ends the refresh token's session and its access tokens at the gateways; unknown tokens are ignored. */
  signOut(refreshToken: string): Promise<void>;
  /** Rejects with `current_password_invalid` unless `password` is the user's current one. */
  confirmPassword(userId: string, password: string): Promise<void>;
  /** Sets a password kept by auth; ends the user's other sessions (all without `keepSessionId`). */
  setPassword(userId: string, password: string, keepSessionId?: string): Promise<void>;
  /** The public keys tokens are signed with. */
  jwks(): Promise<Jwks>;
  /** The OpenID Connect discovery document of the issuer. */
  discovery(): Promise<DiscoveryDocument>;
}

export const IDENTITY_PROVIDER = Symbol('np.auth.identity-provider');
