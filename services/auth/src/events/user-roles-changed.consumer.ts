import { Inject, Injectable } from '@nestjs/common';
import type { Database } from '@np/persistence';
import { DATABASE, SETTINGS } from '@np/runtime';
import { CLOCK, type Clock } from '../clock.js';
import { RevocationRecorder } from '../revocations/revocation-recorder.js';
import type { AuthSettings } from '../settings.js';
import { handleOnce } from './handle-once.js';

export const USER_UPDATED_CONSUMER = 'auth.user-updated';

/**
 * A user whose roles changed keeps their sessions, but the access tokens they hold carry the old
 * roles: those are refused from now on, and the next refresh issues tokens with the new roles.
 */
@Injectable()
export class UserRolesChangedConsumer {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SETTINGS) private readonly settings: Pick<AuthSettings, 'NP_AUTH_SCHEMA'>,
    @Inject(CLOCK) private readonly now: Clock,
    @Inject(RevocationRecorder) private readonly revocations: RevocationRecorder,
  ) {}

  /** Returns false when the event did not change roles or had already been handled. */
  async handle(eventId: string, userId: string, changed: readonly string[]): Promise<boolean> {
    if (!changed.includes('roles')) return false;
    const handled = await handleOnce(this.db, this.settings.NP_AUTH_SCHEMA, USER_UPDATED_CONSUMER, eventId, (em) =>
      this.revocations.userCutOffIn(em, userId, new Date(this.now())),
    );
    if (handled) this.revocations.announce();
    return handled;
  }
}
