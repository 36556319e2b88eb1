import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { argon2id, hash, type HashOptions, verify } from 'argon2';

/** OWASP's recommended argon2id floor: 19 MiB, 2 passes, 1 lane. */
export const ARGON2_OPTIONS: HashOptions = { type: argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

@Injectable()
export class PasswordHasher {
  private dummyHash?: Promise<string>;

  hash(password: string): Promise<string> {
    return hash(password, ARGON2_OPTIONS);
  }

  /**
   * Checks `password` against `storedHash`. Without a stored hash it still verifies against a
   * throw-away one, so an unknown email costs as much time as a wrong password.
   */
  async verify(storedHash: string | undefined, password: string): Promise<boolean> {
    if (storedHash === undefined) {
      await this.safeVerify(await this.dummy(), password);
      return false;
    }
    return this.safeVerify(storedHash, password);
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= this.hash(randomBytes(32).toString('base64url'));
    return this.dummyHash;
  }

  private async safeVerify(storedHash: string, password: string): Promise<boolean> {
    try {
      return await verify(storedHash, password);
    } catch {
      return false; // a malformed stored hash can never match
    }
  }
}
