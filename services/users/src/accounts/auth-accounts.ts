import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { BusClient } from '@np/messaging';
import { BUS_CLIENT } from '@np/runtime';
import type { AccountDirectory, NewAccount } from './account-directory.js';

/**
 * Accounts of the embedded issuer: the auth module keeps passwords (and ends sessions itself when
 * one changes); everything else about a user is this module's. The id is chosen here.
 */
@Injectable()
export class AuthAccounts implements AccountDirectory {
  constructor(@Inject(BUS_CLIENT) private readonly bus: Pick<BusClient, 'call'>) {}

  async open(_account: NewAccount, password: string | undefined): Promise<string> {
    const id = randomUUID();
    // A credential whose user is never written can never sign in: login and refresh look the user up here.
    if (password !== undefined) await this.setPassword(id, password);
    return id;
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }

  prepare(): Promise<void> {
    return Promise.resolve();
  }

  async setPassword(userId: string, password: string, keepSessionId?: string): Promise<string[]> {
    await this.bus.call('auth.credentials.set', { userId, password, ...(keepSessionId === undefined ? {} : { keepSessionId }) });
    return [];
  }

  async confirmPassword(userId: string, password: string): Promise<void> {
    await this.bus.call('auth.credentials.verify', { userId, password });
  }

  suspend(): Promise<void> {
    return Promise.resolve();
  }

  /** Auth drops the credentials itself on `users.user.deleted`. */
  discard(): Promise<void> {
    return Promise.resolve();
  }
}
