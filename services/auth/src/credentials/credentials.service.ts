import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@np/contracts';
import { CLOCK, type Clock } from '../clock.js';
import { CredentialRepository, type CredentialStore } from './credential.repository.js';
import { PasswordHasher } from './password-hasher.js';

const NO_USER = '00000000-0000-0000-0000-000000000000';

/** Users' passwords, as argon2id hashes keyed by user id. */
@Injectable()
export class CredentialsService {
  constructor(
    @Inject(CredentialRepository) private readonly store: CredentialStore,
    @Inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @Inject(CLOCK) private readonly now: Clock,
  ) {}

  /** Sets or changes a password; a change ends every session of the user but `keepSessionId`. */
  async set(userId: string, password: string, keepSessionId?: string): Promise<void> {
    const passwordHash = await this.hasher.hash(password);
    await this.store.replace(userId, passwordHash, new Date(this.now()), keepSessionId);
  }

  /** Proof that the person changing a password or email knows the current password. */
  async confirm(userId: string, password: string): Promise<void> {
    if (!(await this.verify(userId, password))) {
      throw new AppError('current_password_invalid', 'The current password is wrong.');
    }
  }

  /** True when `password` is the user's; takes the same time when the user or password is missing. */
  async verify(userId: string | undefined, password: string): Promise<boolean> {
    // Unknown users still cost a lookup, so the work done does not depend on whether the email exists.
    const storedHash = await this.store.findHash(userId ?? NO_USER);
    return this.hasher.verify(storedHash, password);
  }
}
