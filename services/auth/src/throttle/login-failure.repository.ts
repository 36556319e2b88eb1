import { Inject, Injectable } from '@nestjs/common';
import type { Database } from '@np/persistence';
import { DATABASE } from '@np/runtime';
import { LoginFailure } from '../entities/index.js';

export type FailureKey = { email: string } | { ip: string };

/** Failed logins, shared by every replica through the database. */
export interface LoginFailureStore {
  /** Failures for `key` after `since`, newest first, at most `limit`. */
  newest(key: FailureKey, since: Date, limit: number): Promise<Date[]>;
  record(email: string, ip: string, now: Date, forgetBefore: Date): Promise<void>;
  clearEmail(email: string): Promise<void>;
}

@Injectable()
export class LoginFailureRepository implements LoginFailureStore {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async newest(key: FailureKey, since: Date, limit: number): Promise<Date[]> {
    const rows = await this.db.em
      .fork()
      .find(LoginFailure, { ...key, failedAt: { $gt: since } }, { orderBy: { failedAt: 'desc' }, limit, fields: ['failedAt'] });
    return rows.map((row) => row.failedAt);
  }

  async record(email: string, ip: string, now: Date, forgetBefore: Date): Promise<void> {
    const em = this.db.em.fork();
    await em.insert(LoginFailure, { email, ip, failedAt: now });
    await em.nativeDelete(LoginFailure, { failedAt: { $lt: forgetBefore } });
  }

  async clearEmail(email: string): Promise<void> {
    await this.db.em.fork().nativeDelete(LoginFailure, { email });
  }
}
