import { describe, expect, it } from '@jest/globals';
import { AppError, type Principal } from '@np/contracts';
import type { ItemRecord, ItemsStore } from './items.repository.js';
import { ItemsService } from './items.service.js';

// The rules alone, over an in-memory store; test/ runs the same against PostgreSQL.
class MemoryStore implements ItemsStore {
  readonly rows = new Map<string, ItemRecord>();
  insert(record: ItemRecord): Promise<void> {
    this.rows.set(record.id, record);
    return Promise.resolve();
  }
  findById(id: string): Promise<ItemRecord | null> {
    return Promise.resolve(this.rows.get(id) ?? null);
  }
}

const caller: Principal = { sub: '7d9c6a0e-4f7e-4a55-9a52-0c6f1f0c2b11', tenant: 'default', roles: ['admin'], iat: 0 };

describe('ItemsService', () => {
  it('creates an item owned by the caller and reads it back', async () => {
    const service = new ItemsService(new MemoryStore());
    const created = await service.create({ name: 'First' }, caller);
    expect(created).toMatchObject({ name: 'First', createdBy: caller.sub });
    await expect(service.get(created.id)).resolves.toEqual(created);
  });

  it('answers not_found for an unknown id and token_missing without a caller', async () => {
    const service = new ItemsService(new MemoryStore());
    await expect(service.get('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'not_found' });
    await expect(service.create({ name: 'x' }, undefined)).rejects.toBeInstanceOf(AppError);
  });
});
