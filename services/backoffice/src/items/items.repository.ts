import type { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import type { Database } from '@np/persistence';
import { DATABASE } from '@np/runtime';
import { ItemEntity, type ItemEntityType } from '../entities/item.entity.js';

export interface ItemRecord {
  id: string;
  name: string;
  createdBy: string;
  createdAt: Date;
}

export interface ItemsStore {
  insert(record: ItemRecord): Promise<void>;
  findById(id: string): Promise<ItemRecord | null>;
}

/** The `items` table of the module's schema. */
@Injectable()
export class ItemsRepository implements ItemsStore {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async insert(record: ItemRecord): Promise<void> {
    await this.em().insert(ItemEntity, record);
  }

  async findById(id: string): Promise<ItemRecord | null> {
    const row = await this.em().findOne(ItemEntity, { id });
    return row ? toRecord(row) : null;
  }

  /** A fresh identity map per call: reads never see another handler's entity state. */
  private em(): EntityManager {
    return this.db.em.fork();
  }
}

function toRecord(row: ItemEntityType): ItemRecord {
  return { id: row.id, name: row.name, createdBy: row.createdBy, createdAt: row.createdAt };
}
