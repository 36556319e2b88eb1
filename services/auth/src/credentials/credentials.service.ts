import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../clock.js';
import { CredentialRepository, type CredentialStore } from './credential.repository.js';
import { PasswordHasher } from './password-hasher.js';

/** Users' passwords, as argon2id hashes keyed by user id. */
@Injectable()
export class CredentialsService {
  constructor(
    @Inject(CredentialRepository) private readonly store: CredentialStore,
    @Inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @Inject(CLOCK) private readonly now: Clock,
  ) {}

  /** Sets or changes a password; a change ends every session of the user. */
  async set(userId: string, password: string): Promise<void> {
    const passwordHash = await this.hasher.hash(password);
    await this.store.replace(userId, passwordHash, new Date(this.now()));
  }

  /** True when `password` is the user's; takes the same time when the user or password is missing. */
  async verify(userId: string | undefined, password: string): Promise<boolean> {
    const storedHash = userId === undefined ? undefined : await this.store.findHash(userId);
    return this.hasher.verify(storedHash, password);
  }
}
