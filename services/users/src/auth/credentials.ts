import { Inject, Injectable } from '@nestjs/common';
import type { BusClient } from '@np/messaging';
import { BUS_CLIENT } from '@np/runtime';

/** Where passwords go: the auth module owns them (hash and sessions), this service never sees a hash. */
export interface Credentials {
  /** Sets the password and ends the user's other sessions (all of them when `keepSessionId` is absent). */
  set(userId: string, password: string, keepSessionId?: string): Promise<void>;
  /** Rejects with `current_password_invalid` unless `password` is the user's current one. */
  confirm(userId: string, password: string): Promise<void>;
}

/** The auth module's credential patterns, over the bus. */
@Injectable()
export class AuthCredentials implements Credentials {
  constructor(@Inject(BUS_CLIENT) private readonly bus: Pick<BusClient, 'call'>) {}

  async set(userId: string, password: string, keepSessionId?: string): Promise<void> {
    await this.bus.call('auth.credentials.set', { userId, password, ...(keepSessionId === undefined ? {} : { keepSessionId }) });
  }

  async confirm(userId: string, password: string): Promise<void> {
    await this.bus.call('auth.credentials.verify', { userId, password });
  }
}
