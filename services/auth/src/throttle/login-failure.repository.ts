import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Database } from '@np/persistence';
import { DATABASE, SETTINGS } from '@np/runtime';
import { LoginFailure } from '../entities/index.js';
import type { AuthSettings } from '../settings.js';
import type { FailureSnapshot, ThrottleLimits } from './throttle-rules.js';

/** Whose attempt: the email as typed (normalised by the contract) and the client address. */
export interface AttemptKey {
  email: string;
  ip: string;
}

/** The failures of one attempt's address and account, while their locks are held. */
export interface LockedFailures {
  snapshot(since: Date, limits: Omit<ThrottleLimits, 'windowSeconds'>): Promise<FailureSnapshot>;
  /** Records the attempt as a failure (in the locked transaction) and returns its id. */
  record(at: Date): Promise<number>;
}

/** Failed logins, shared by every replica through the database (a fake stands in for it in unit tests). */
export interface LoginFailureStore {
  /**
   * Runs `fn` in one transaction holding the locks of the attempt's address and account. Every
   * replica takes the same locks in the same order, so attempts that share a key queue here and
   * each one sees the failures the previous ones recorded.
   */
  withLocked<T>(attempt: AttemptKey, fn: (failures: LockedFailures) => Promise<T>): Promise<T>;
  /** Forgets the pair's failures up to and including the attempt `upToId` (a success). */
  clearPair(attempt: AttemptKey, upToId: number): Promise<void>;
  /** Removes one recorded attempt whose password was never checked. */
  remove(id: number): Promise<void>;
  /** Deletes failures older than `before`; one replica at a time, the others skip. */
  forgetBefore(before: Date): Promise<void>;
}

@Injectable()
export class LoginFailureRepository implements LoginFailureStore {
  private readonly lockPrefix: string;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SETTINGS) settings: Pick<AuthSettings, 'NP_AUTH_SCHEMA'>,
  ) {
    this.lockPrefix = `${settings.NP_AUTH_SCHEMA}.login_failures`;
  }

  withLocked<T>(attempt: AttemptKey, fn: (failures: LockedFailures) => Promise<T>): Promise<T> {
    return this.db.em.fork().transactional(async (em) => {
      // Address before account, always: a fixed order means two attempts can never wait on each other in a cycle.
      await this.lock(em, `address:${attempt.ip}`);
      await this.lock(em, `account:${attempt.email}`);
      return fn({
        snapshot: (since, limits) => snapshotIn(em, attempt, since, limits),
        record: async (at) => {
          const id = await em.insert(LoginFailure, { email: attempt.email, ip: attempt.ip, failedAt: at });
          return Number(id);
        },
      });
    });
  }

  async clearPair(attempt: AttemptKey, upToId: number): Promise<void> {
    await this.db.em.fork().nativeDelete(LoginFailure, { email: attempt.email, ip: attempt.ip, id: { $lte: upToId } });
  }

  async remove(id: number): Promise<void> {
    await this.db.em.fork().nativeDelete(LoginFailure, { id });
  }

  async forgetBefore(before: Date): Promise<void> {
    await this.db.em.fork().transactional(async (em) => {
      const [row] = await em.execute<{ locked: boolean }[]>('select pg_try_advisory_xact_lock(hashtext(?)) as locked', [`${this.lockPrefix}:cleanup`]);
      if (row?.locked) await em.nativeDelete(LoginFailure, { failedAt: { $lt: before } });
    });
  }

  private async lock(em: EntityManager, key: string): Promise<void> {
    await em.execute('select pg_advisory_xact_lock(hashtext(?))', [`${this.lockPrefix}:${key}`]);
  }
}

async function snapshotIn(em: EntityManager, attempt: AttemptKey, since: Date, limits: Omit<ThrottleLimits, 'windowSeconds'>): Promise<FailureSnapshot> {
  const inWindow = { failedAt: { $gt: since } };
  // One after the other: they share the transaction's connection.
  const pair = await newest(em, { ...attempt, ...inWindow }, 0, limits.perPair);
  const address = await newest(em, { ip: attempt.ip, ...inWindow }, limits.perAddress - 1, 1);
  const account = await newest(em, { email: attempt.email, ...inWindow }, limits.perAccount - 1, 1);
  const snapshot: FailureSnapshot = { pairHasFailed: pair.length > 0 };
  if (pair.length >= limits.perPair) snapshot.pairLimitFailure = pair[limits.perPair - 1]!;
  if (address[0]) snapshot.addressLimitFailure = address[0];
  if (account[0]) snapshot.accountLimitFailure = account[0];
  return snapshot;
}

type FailureFilter = { email?: string; ip?: string; failedAt: { $gt: Date } };

/** Failure times matching `where`, newest first, skipping `offset` of them. */
async function newest(em: EntityManager, where: FailureFilter, offset: number, limit: number): Promise<Date[]> {
  const rows = await em.find(LoginFailure, where, { orderBy: { failedAt: 'desc' }, offset, limit, fields: ['failedAt'] });
  return rows.map((row) => row.failedAt);
}
