import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError, type Principal } from '@np/contracts';
import type { Item } from '../contracts/index.js';
import { type ItemRecord, ItemsRepository, type ItemsStore } from './items.repository.js';

/** The example resource's rules: who may do what is decided by the gateway's route policy; this checks the rest. */
@Injectable()
export class ItemsService {
  constructor(@Inject(ItemsRepository) private readonly items: ItemsStore) {}

  async create(body: { name: string }, principal: Principal | undefined): Promise<Item> {
    if (!principal) throw new AppError('token_missing', 'Creating an item needs a signed-in caller.');
    const record: ItemRecord = { id: randomUUID(), name: body.name, createdBy: principal.sub, createdAt: new Date() };
    await this.items.insert(record);
    return toItem(record);
  }

  async get(id: string): Promise<Item> {
    const record = await this.items.findById(id);
    if (!record) throw new AppError('not_found', `No item ${id}.`);
    return toItem(record);
  }
}

function toItem(record: ItemRecord): Item {
  return { ...record, createdAt: record.createdAt.toISOString() };
}
