import { Inject, Injectable } from '@nestjs/common';
import type { Database } from '@np/persistence';
import { DATABASE } from '@np/runtime';
import { Credential } from '../entities/index.js';
import { revokeSessionsIn } from '../refresh/refresh-token.repository.js';
import { RevocationRecorder } from '../revocations/revocation-recorder.js';

export interface CredentialStore {
  findHash(userId: string): Promise<string | undefined>;
  /**
   * Stores the hash and, in the same transaction, ends every session of the user but
   * `keepSessionId` (the one that made the change, when the user changed their own password).
   */
  replace(userId: string, passwordHash: string, now: Date, keepSessionId?: string): Promise<void>;
}

@Injectable()
export class CredentialRepository implements CredentialStore {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(RevocationRecorder) private readonly revocations: RevocationRecorder,
  ) {}

  async findHash(userId: string): Promise<string | undefined> {
    const row = await this.db.em.fork().findOne(Credential, { userId });
    return row?.passwordHash;
  }

  async replace(userId: string, passwordHash: string, now: Date, keepSessionId?: string): Promise<void> {
    const ended = await this.db.em.fork().transactional(async (em) => {
      await em.upsert(Credential, { userId, passwordHash, updatedAt: now });
      const others = keepSessionId === undefined ? { userId } : { userId, familyId: { $ne: keepSessionId } };
      return revokeSessionsIn(em, this.revocations, others, now);
    });
    if (ended > 0) this.revocations.announce();
  }
}
