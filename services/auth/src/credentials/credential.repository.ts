import { Inject, Injectable } from '@nestjs/common';
import type { Database } from '@np/persistence';
import { DATABASE } from '@np/runtime';
import { Credential } from '../entities/index.js';
import { revokeUserTokensIn } from '../refresh/refresh-token.repository.js';

export interface CredentialStore {
  findHash(userId: string): Promise<string | undefined>;
  /** Stores the hash and, in the same transaction, revokes every session of the user. */
  replace(userId: string, passwordHash: string, now: Date): Promise<void>;
}

@Injectable()
export class CredentialRepository implements CredentialStore {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async findHash(userId: string): Promise<string | undefined> {
    const row = await this.db.em.fork().findOne(Credential, { userId });
    return row?.passwordHash;
  }

  async replace(userId: string, passwordHash: string, now: Date): Promise<void> {
    await this.db.em.fork().transactional(async (em) => {
      await em.upsert(Credential, { userId, passwordHash, updatedAt: now });
      await revokeUserTokensIn(em, userId, now);
    });
  }
}
