import { AppError, type Principal, principalSchema } from '@np/contracts';
import { createLocalJWKSet, errors, type JSONWebKeySet, jwtVerify, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import type { JwksProvider } from './jwks-provider.js';
import { platformRolesOf } from './platform-roles.js';

export interface TokenVerifierOptions {
  jwks: JwksProvider;
  issuer: string;
  audience: string;
  /** The tenant this deployment serves: a token for any other tenant is refused. */
  tenant: string;
  /** Least time between two key refreshes caused by unknown `kid`s (protects the issuer). */
  refreshCooldownMs?: number;
  clockToleranceSeconds?: number;
  /** Verified tokens remembered until they expire (default 10 000; 0 turns the cache off). */
  cacheSize?: number;
  now?: () => number;
}

type KeySet = ReturnType<typeof createLocalJWKSet>;

/**
 * Verifies access tokens: signature against the issuer's keys (cached; refreshed when a token
 * names a key we have not seen, at most once per cooldown), then `iss`, `aud`, `exp`, an `iat`
 * not in the future (beyond the clock tolerance) and the tenant; the `roles` claim is mapped to
 * the platform's roles. Every failure is an `AppError` with a precise code; nothing else escapes.
 *
 * A token that verified once is remembered, keyed by its exact text, until its `exp`: the same
 * bytes carry the same valid signature, so checking it again proves nothing new. (Revocation is
 * not a property of the token; the gateway checks it on every request, after this.)
 */
export class TokenVerifier {
  private keys: KeySet | undefined;
  private loading: Promise<KeySet> | undefined;
  private lastRefreshAt = Number.NEGATIVE_INFINITY;
  private readonly verified: LRUCache<string, Principal> | undefined;

  constructor(private readonly options: TokenVerifierOptions) {
    const size = options.cacheSize ?? 10_000;
    this.verified = size > 0 ? new LRUCache<string, Principal>({ max: size, ttlResolution: 0, perf: { now: () => this.now() } }) : undefined;
  }

  async verify(token: string): Promise<Principal> {
    const remembered = this.verified?.get(token);
    if (remembered) return remembered;
    const payload = await this.verifySignatureAndClaims(token);
    if (payload.tenant !== this.options.tenant) {
      throw new AppError('tenant_mismatch', 'The token was issued for another tenant.');
    }
    // The issuer's roles become the platform's (see platformRolesOf): an external issuer's own roles never fail a token.
    const roles = platformRolesOf(payload.roles);
    const principal = principalSchema.safeParse({ sub: payload.sub, tenant: payload.tenant, roles, sid: payload.sid, iat: payload.iat });
    if (!principal.success) throw new AppError('token_invalid', 'The token lacks the claims this API needs.');
    this.remember(token, principal.data, payload.exp);
    return principal.data;
  }

  private remember(token: string, principal: Principal, exp: number | undefined): void {
    const ttl = exp === undefined ? 0 : Math.floor(exp * 1000 - this.now());
    if (this.verified && ttl > 0) this.verified.set(token, principal, { ttl });
  }

  private async verifySignatureAndClaims(token: string): Promise<JWTPayload> {
    try {
      return await this.verifyWith(await this.currentKeys(), token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey && this.mayRefresh()) {
        return this.verifyWith(await this.refreshKeys(), token).catch((retryError: unknown) => {
          throw toAppError(retryError);
        });
      }
      throw toAppError(error);
    }
  }

  private async verifyWith(keys: KeySet, token: string): Promise<JWTPayload> {
    const clockTolerance = this.options.clockToleranceSeconds ?? 5;
    const now = this.now();
    const { payload } = await jwtVerify(token, keys, {
      issuer: this.options.issuer,
      audience: this.options.audience,
      algorithms: ['ES256', 'RS256', 'EdDSA'],
      clockTolerance,
      requiredClaims: ['sub', 'exp', 'iat'],
      currentDate: new Date(now),
    });
    // jose checks a future `iat` only together with maxTokenAge; a token issued "later" than the
    // allowed skew was minted with a wrong clock or to outlive its lifetime, so it is refused.
    if ((payload.iat ?? 0) > now / 1000 + clockTolerance) {
      throw new AppError('token_invalid', 'The access token was issued in the future.');
    }
    return payload;
  }

  private currentKeys(): Promise<KeySet> {
    return this.keys ? Promise.resolve(this.keys) : this.refreshKeys();
  }

  private mayRefresh(): boolean {
    return this.now() - this.lastRefreshAt >= (this.options.refreshCooldownMs ?? 30_000);
  }

  private refreshKeys(): Promise<KeySet> {
    // Concurrent callers share one fetch instead of stampeding the issuer.
    this.loading ??= this.fetchKeys().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async fetchKeys(): Promise<KeySet> {
    let jwks: JSONWebKeySet;
    try {
      jwks = await this.options.jwks();
    } catch {
      throw new AppError('module_unavailable', 'The token issuer is unreachable; try again shortly.');
    }
    this.lastRefreshAt = this.now();
    this.keys = createLocalJWKSet(jwks);
    return this.keys;
  }

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }
}

function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof errors.JWTExpired) return new AppError('token_expired', 'The access token has expired.');
  if (error instanceof errors.JOSEError) return new AppError('token_invalid', 'The access token is invalid.');
  return new AppError('token_invalid', 'The access token could not be verified.');
}
