import { Inject, Injectable } from '@nestjs/common';
import { consumeOnce } from '@np/messaging';
import { type Database, emSqlQuery } from '@np/persistence';
import { DATABASE, SETTINGS } from '@np/runtime';
import { CLOCK, type Clock } from '../clock.js';
import { Credential } from '../entities/index.js';
import { revokeUserTokensIn } from '../refresh/refresh-token.repository.js';
import type { AuthSettings } from '../settings.js';

export const USER_DELETED_CONSUMER = 'auth.user-deleted';

/** A deleted user loses their password and every session, once per event however often it is delivered. */
@Injectable()
export class UserDeletedConsumer {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SETTINGS) private readonly settings: Pick<AuthSettings, 'NP_AUTH_SCHEMA'>,
    @Inject(CLOCK) private readonly now: Clock,
  ) {}

  /** Returns false when the event had already been handled. */
  async handle(eventId: string, userId: string): Promise<boolean> {
    return this.db.em.fork().transactional(async (em) => {
      if (!(await consumeOnce(emSqlQuery(em), this.settings.NP_AUTH_SCHEMA, USER_DELETED_CONSUMER, eventId))) return false;
      await em.nativeDelete(Credential, { userId });
      await revokeUserTokensIn(em, userId, new Date(this.now()));
      return true;
    });
  }
}
