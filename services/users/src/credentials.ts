import type { BusClient } from '@np/messaging';

/** Where passwords go: the auth module keeps the hash, this service never sees one. */
export interface Credentials {
  set(userId: string, password: string): Promise<void>;
}

export function busCredentials(bus: Pick<BusClient, 'call'>): Credentials {
  return {
    async set(userId, password) {
      await bus.call('auth.credentials.set', { userId, password });
    },
  };
}
