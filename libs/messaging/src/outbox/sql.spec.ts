import { describe, expect, it } from '@jest/globals';
import { consumeOnce, insertOutboxEvent, outboxDdl, outboxInsert, quoteSchema } from './sql.js';

describe('outbox SQL', () => {
  it('quotes valid schema names and refuses anything else', () => {
    expect(quoteSchema('users')).toBe('"users"');
    expect(quoteSchema('_svc_2')).toBe('"_svc_2"');
    for (const bad of ['Users', '2users', 'users; drop table x', 'a"b', '', 'a'.repeat(64)]) {
      expect(() => quoteSchema(bad)).toThrow('Invalid schema name');
    }
  });

  it('produces idempotent DDL for the outbox, its index and the inbox', () => {
    const ddl = outboxDdl('users');
    expect(ddl).toHaveLength(4);
    expect(ddl.every((statement) => /if not exists/.test(statement))).toBe(true);
    expect(ddl.join('\n')).toContain('"users".outbox');
    expect(ddl.join('\n')).toContain('where published_at is null');
    expect(ddl.join('\n')).toContain('primary key (consumer, event_id)');
    expect(() => outboxDdl('x; drop')).toThrow();
  });

  it('numbers the outbox INSERT from a given parameter, for a statement that writes a change and its event together', () => {
    const { sql, params } = outboxInsert('forms', { id: 'e', name: 'forms.submission.created', payload: { a: 1 }, occurredAt: 'then' }, 4);
    expect(sql).toBe('insert into "forms".outbox (id, name, payload, request_id, actor_id, occurred_at) values ($4, $5, $6, $7, $8, $9)');
    expect(params).toEqual(['e', 'forms.submission.created', '{"a":1}', null, null, 'then']);
  });

  it('binds values as parameters', async () => {
    const calls: [string, unknown[]][] = [];
    const query = async (sql: string, params: unknown[]) => {
      calls.push([sql, params]);
      return [{ event_id: 'e' }];
    };
    await insertOutboxEvent(query, 'users', { id: 'e', name: 'users.user.created', payload: { a: 1 }, occurredAt: 'then', requestId: 'r', actorId: 'u' });
    expect(calls[0]![1]).toEqual(['e', 'users.user.created', '{"a":1}', 'r', 'u', 'then']);
    await expect(consumeOnce(query, 'users', 'auth', 'e')).resolves.toBe(true);
    expect(calls[1]![0]).toContain('on conflict do nothing');
  });
});
