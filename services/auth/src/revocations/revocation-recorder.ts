import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Revocations } from '@np/contracts';
import { domainEvent, insertOutboxEvent, type OutboxSignal } from '@np/messaging';
import { type Database, emSqlQuery } from '@np/persistence';
import { DATABASE, OUTBOX, SETTINGS } from '@np/runtime';
import { Revocation } from '../entities/index.js';
import type { AuthSettings } from '../settings.js';

type RevocationSettings = Pick<AuthSettings, 'NP_AUTH_SCHEMA' | 'NP_ACCESS_TOKEN_TTL_SECONDS'>;

/** Access tokens may be this much past `exp` when a verifier allows for clock skew. */
const CLOCK_SKEW_MS = 60_000;

/**
 * Makes revocations reach every gateway: each one is stored (for gateways that start later) and
 * published as an event through the outbox, in the caller's transaction, so a revocation is
 * announced if and only if it was committed. Callers `announce()` after their commit.
 */
@Injectable()
export class RevocationRecorder {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SETTINGS) private readonly settings: RevocationSettings,
    @Inject(OUTBOX) private readonly outbox: OutboxSignal,
  ) {}

  /** Every access token of these sessions is refused from now on. */
  async sessionsRevokedIn(em: EntityManager, userId: string, sessionIds: readonly string[], now: Date): Promise<void> {
    const expiresAt = this.lastExpiryOfTokensIssuedBy(now);
    for (const sessionId of sessionIds) {
      await em.insert(Revocation, { id: randomUUID(), kind: 'session', subject: sessionId, userId, notBefore: null, expiresAt, createdAt: now });
      await this.publishIn(em, domainEvent('auth.session.revoked', { sessionId, userId, expiresAt: expiresAt.toISOString() }, now));
    }
  }

  /**
   * `sessionsRevokedIn` for one session, unless it is revoked already (a sign-out repeated with
   * the same refresh token, which Keycloak accepts again): answers whether it recorded anything.
   */
  async sessionRevokedOnceIn(em: EntityManager, userId: string, sessionId: string, now: Date): Promise<boolean> {
    if ((await em.count(Revocation, { kind: 'session', subject: sessionId, expiresAt: { $gt: now } })) > 0) return false;
    await this.sessionsRevokedIn(em, userId, [sessionId], now);
    return true;
  }

  /** Every access token the user was issued until now is refused (their sessions may refresh for new ones). */
  async userCutOffIn(em: EntityManager, userId: string, now: Date): Promise<void> {
    const expiresAt = this.lastExpiryOfTokensIssuedBy(now);
    await em.insert(Revocation, { id: randomUUID(), kind: 'user', subject: userId, userId, notBefore: now, expiresAt, createdAt: now });
    await this.publishIn(em, domainEvent('auth.user.tokens-revoked', { userId, notBefore: now.toISOString(), expiresAt: expiresAt.toISOString() }, now));
  }

  /** Call after the transaction that recorded revocations has committed. */
  announce(): void {
    this.outbox.kick();
  }

  /** What a gateway needs to know: every revocation that still concerns an unexpired token. */
  async active(now: Date): Promise<Revocations> {
    const em = this.db.em.fork();
    await em.nativeDelete(Revocation, { expiresAt: { $lte: now } });
    const rows = await em.find(Revocation, { expiresAt: { $gt: now } }, { orderBy: { createdAt: 'asc' } });
    return {
      sessions: rows.filter((row) => row.kind === 'session').map((row) => ({ sessionId: row.subject, userId: row.userId, expiresAt: row.expiresAt.toISOString() })),
      users: rows
        .filter((row) => row.kind === 'user' && row.notBefore)
        .map((row) => ({ userId: row.userId, notBefore: (row.notBefore ?? now).toISOString(), expiresAt: row.expiresAt.toISOString() })),
    };
  }

  private publishIn(em: EntityManager, event: ReturnType<typeof domainEvent>): Promise<void> {
    return insertOutboxEvent(emSqlQuery(em), this.settings.NP_AUTH_SCHEMA, event);
  }

  private lastExpiryOfTokensIssuedBy(now: Date): Date {
    return new Date(now.getTime() + this.settings.NP_ACCESS_TOKEN_TTL_SECONDS * 1000 + CLOCK_SKEW_MS);
  }
}
