import { Inject, Injectable } from '@nestjs/common';
import type { Database } from '@np/persistence';
import { DATABASE, SETTINGS } from '@np/runtime';
import { CLOCK, type Clock } from '../clock.js';
import { Credential } from '../entities/index.js';
import { revokeSessionsIn } from '../refresh/refresh-token.repository.js';
import { RevocationRecorder } from '../revocations/revocation-recorder.js';
import type { AuthSettings } from '../settings.js';
import { handleOnce } from './handle-once.js';

export const USER_DELETED_CONSUMER = 'auth.user-deleted';

/**
 * A deleted user loses their password, every session and every access token they still hold,
 * once per event however often it is delivered.
 */
@Injectable()
export class UserDeletedConsumer {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SETTINGS) private readonly settings: Pick<AuthSettings, 'NP_AUTH_SCHEMA'>,
    @Inject(CLOCK) private readonly now: Clock,
    @Inject(RevocationRecorder) private readonly revocations: RevocationRecorder,
  ) {}

  /** Returns false when the event had already been handled. */
  async handle(eventId: string, userId: string): Promise<boolean> {
    const handled = await handleOnce(this.db, this.settings.NP_AUTH_SCHEMA, USER_DELETED_CONSUMER, eventId, async (em) => {
      const now = new Date(this.now());
      await em.nativeDelete(Credential, { userId });
      await revokeSessionsIn(em, this.revocations, { userId }, now);
      await this.revocations.userCutOffIn(em, userId, now);
    });
    if (handled) this.revocations.announce();
    return handled;
  }
}
