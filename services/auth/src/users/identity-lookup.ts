import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@np/contracts';
// The users module's contracts: importing them registers the patterns this lookup sends.
import { type Identity } from '@np/users/contracts';
import '@np/users/contracts';
import type { BusClient } from '@np/messaging';
import { BUS_CLIENT } from '@np/runtime';

/** Who a user is right now, as the users module knows it; `undefined` when there is no such user. */
export interface IdentityLookup {
  byEmail(email: string): Promise<Identity | undefined>;
  byId(id: string): Promise<Identity | undefined>;
}

@Injectable()
export class UsersIdentityLookup implements IdentityLookup {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  byEmail(email: string): Promise<Identity | undefined> {
    return orUndefinedWhenNotFound(this.bus.call('users.identity.by-email', { email }));
  }

  byId(id: string): Promise<Identity | undefined> {
    return orUndefinedWhenNotFound(this.bus.call('users.identity.by-id', { id }));
  }
}

async function orUndefinedWhenNotFound(call: Promise<Identity>): Promise<Identity | undefined> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return undefined;
    throw error;
  }
}
