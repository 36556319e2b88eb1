import type { BusClient } from '@np/messaging';

/** Where passwords go: the auth module keeps the hash, this service never sees one. */
export interface Credentials {
  /** Sets the password and ends the user's other sessions (all of them when `keepSessionId` is absent). */
  set(userId: string, password: string, keepSessionId?: string): Promise<void>;
  /** Rejects with `current_password_invalid` unless `password` is the user's current one. */
  confirm(userId: string, password: string): Promise<void>;
}

export function busCredentials(bus: Pick<BusClient, 'call'>): Credentials {
  return {
    async set(userId, password, keepSessionId) {
      await bus.call('auth.credentials.set', { userId, password, ...(keepSessionId === undefined ? {} : { keepSessionId }) });
    },
    async confirm(userId, password) {
      await bus.call('auth.credentials.verify', { userId, password });
    },
  };
}
