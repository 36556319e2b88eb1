import type { EventEnvelope, EventHandler } from './envelopes.js';

export interface BatchedEventHandlerOptions {
  /** Most events handed over at once (default 500). */
  maxBatch?: number;
}

interface Waiting {
  event: EventEnvelope;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * A subscription handler that handles deliveries in batches: the events a transport hands over
 * together (up to its prefetch, in the same turn of the event loop) and those that arrive while a
 * batch is being handled go to `handle` as one array, one batch at a time. Each delivery settles
 * with its batch, so the transport acknowledges an event only once its batch succeeded, and gets it
 * again when it failed. A failed batch is handled again one event at a time, so an event that
 * fails by itself fails alone and the rest of its batch succeeds. `handle` must be idempotent by
 * event id, as every subscription handler (a redelivery, or an event twice in one batch).
 */
export function batchedEventHandler(handle: (events: EventEnvelope[]) => Promise<void>, options: BatchedEventHandlerOptions = {}): EventHandler {
  const maxBatch = options.maxBatch ?? 500;
  let waiting: Waiting[] = [];
  let scheduled = false;
  let handling = false;

  const settle = async (batch: Waiting[]): Promise<void> => {
    try {
      await handle(batch.map((entry) => entry.event));
      for (const entry of batch) entry.resolve();
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      for (const entry of batch) {
        await handle([entry.event]).then(entry.resolve, entry.reject);
      }
    }
  };

  const next = (): void => {
    scheduled = false;
    if (handling || waiting.length === 0) return;
    handling = true;
    const batch = waiting.slice(0, maxBatch);
    waiting = waiting.slice(maxBatch);
    void settle(batch).finally(() => {
      handling = false;
      if (waiting.length > 0) schedule();
    });
  };

  // After the current turn: the deliveries of one read from the broker (or one publishing burst
  // in process) all join the batch.
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(next);
  };

  return (event) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ event, resolve, reject });
      if (!handling) schedule();
    });
}
