import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { EventName } from '@np/contracts';
import { batchedEventHandler } from './batched-event-handler.js';
import type { EventEnvelope } from './envelopes.js';

function event(): EventEnvelope {
  return { id: randomUUID(), name: 'users.user.updated' as EventName, payload: {}, occurredAt: new Date().toISOString() };
}

describe('batchedEventHandler', () => {
  it('hands the deliveries of one turn over as one batch and settles each after it', async () => {
    const batches: string[][] = [];
    const handler = batchedEventHandler(async (events) => {
      batches.push(events.map((each) => each.id));
      await Promise.resolve();
    });
    const events = Array.from({ length: 5 }, event);
    await Promise.all(events.map((each) => handler(each)));
    expect(batches).toEqual([events.map((each) => each.id)]);
  });

  it('gathers what arrives during a batch into the next one, and caps a batch', async () => {
    const batches: number[] = [];
    let release: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (release = resolve));
    const handler = batchedEventHandler(
      async (events) => {
        batches.push(events.length);
        if (batches.length === 1) await first;
      },
      { maxBatch: 3 },
    );
    const head = handler(event());
    await new Promise((resolve) => setImmediate(resolve));
    const rest = Array.from({ length: 7 }, () => handler(event()));
    release();
    await Promise.all([head, ...rest]);
    expect(batches).toEqual([1, 3, 3, 1]);
  });

  it('retries a failed batch one event at a time: only the event that fails alone is refused', async () => {
    const bad = event();
    const kept: string[] = [];
    const handler = batchedEventHandler((events) => {
      if (events.some((each) => each.id === bad.id)) return Promise.reject(new Error('bad event'));
      kept.push(...events.map((each) => each.id));
      return Promise.resolve();
    });
    const good = [event(), event()];
    const outcomes = await Promise.allSettled([handler(good[0]!), handler(bad), handler(good[1]!)]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(kept).toEqual(good.map((each) => each.id));
  });

  it('refuses every delivery of a batch when the whole batch cannot be handled (each is redelivered)', async () => {
    const handler = batchedEventHandler(() => Promise.reject(new Error('database unavailable')));
    const outcomes = await Promise.allSettled([handler(event()), handler(event())]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
  });
});
