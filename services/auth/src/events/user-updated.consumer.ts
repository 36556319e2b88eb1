import { Inject, Injectable } from '@nestjs/common';
import type { Database } from '@np/persistence';
import { DATABASE, SETTINGS } from '@np/runtime';
import { CLOCK, type Clock } from '../clock.js';
import { RevocationRecorder } from '../revocations/revocation-recorder.js';
import type { AuthSettings } from '../settings.js';
import { handleOnce } from './handle-once.js';

export const USER_UPDATED_CONSUMER = 'auth.user-updated';

/** What of a `users.user.updated` event concerns the tokens a user holds. */
export interface UserUpdate {
  userId: string;
  changed: readonly string[];
  /** Sessions the identity provider ended (a password change kept by Keycloak). */
  endedSessions?: readonly string[] | undefined;
}

/**
 * A user whose roles changed keeps their sessions, but the access tokens they hold carry the old
 * roles: those are refused from now on, and the next refresh issues tokens with the new roles.
 * Sessions the identity provider ended with the change (Keycloak, on a password change) have
 * their access tokens refused too, as the embedded issuer does for the sessions it ends itself.
 */
@Injectable()
export class UserUpdatedConsumer {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SETTINGS) private readonly settings: Pick<AuthSettings, 'NP_AUTH_SCHEMA'>,
    @Inject(CLOCK) private readonly now: Clock,
    @Inject(RevocationRecorder) private readonly revocations: RevocationRecorder,
  ) {}

  /** Returns false when the event changed nothing about tokens or had already been handled. */
  async handle(eventId: string, { userId, changed, endedSessions = [] }: UserUpdate): Promise<boolean> {
    const rolesChanged = changed.includes('roles');
    if (!rolesChanged && endedSessions.length === 0) return false;
    const handled = await handleOnce(this.db, this.settings.NP_AUTH_SCHEMA, USER_UPDATED_CONSUMER, eventId, async (em) => {
      const now = new Date(this.now());
      if (endedSessions.length > 0) await this.revocations.sessionsRevokedIn(em, userId, endedSessions, now);
      if (rolesChanged) await this.revocations.userCutOffIn(em, userId, now);
    });
    if (handled) this.revocations.announce();
    return handled;
  }
}
