import { AppError } from '@np/contracts';
import type { ReplyEnvelope } from '../envelopes.js';

interface Pending {
  resolve: (reply: ReplyEnvelope) => void;
  reject: (error: AppError) => void;
  timer: NodeJS.Timeout;
  /** The channel generation the request was sent on; a reply can only come back on it. */
  generation: number;
}

/**
 * Requests waiting for their reply, keyed by correlation id. Every entry leaves the map exactly
 * once: on its reply, its timeout, or a failure of the channel it was sent on — so no caller hangs.
 */
export class PendingRequests {
  private readonly entries = new Map<string, Pending>();

  get size(): number {
    return this.entries.size;
  }

  /** Registers a request and returns the promise of its reply; the timer starts now. */
  add(id: string, generation: number, timeoutMs: number, onTimeout: () => AppError): Promise<ReplyEnvelope> {
    return new Promise<ReplyEnvelope>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.entries.delete(id);
        reject(onTimeout());
      }, timeoutMs);
      this.entries.set(id, { resolve, reject, timer, generation });
    });
  }

  /** Returns false when nobody waits any more (late reply after a timeout, or a duplicate). */
  resolve(id: string, reply: ReplyEnvelope): boolean {
    const entry = this.take(id);
    entry?.resolve(reply);
    return entry !== undefined;
  }

  reject(id: string, error: AppError): void {
    this.take(id)?.reject(error);
  }

  /** Fails every request sent on `generation` (or all, when omitted). */
  rejectAll(error: () => AppError, generation?: number): void {
    for (const [id, entry] of [...this.entries]) {
      if (generation === undefined || entry.generation === generation) this.reject(id, error());
    }
  }

  private take(id: string): Pending | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.entries.delete(id);
    return entry;
  }
}
