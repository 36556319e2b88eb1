import type { IncomingMessage } from 'node:http';

/** How long a refused upload's remaining bytes are read before the answer goes anyway. */
const DRAIN_LIMIT_MS = 60_000;

/**
 * Reads and drops what is left of a request body; resolves once it ended, the client went, or
 * `limitMs` passed. Whoever was reading it (a pipe, a web stream adapter's `data` listener) is
 * detached first: the request was refused, nobody wants its bytes, and a reader that stopped
 * pulling would otherwise hold the body back. Closing a connection with unread bytes makes the
 * kernel reset it, and the peer may lose the answer already sent.
 */
export function drainBody(request: IncomingMessage, limitMs = DRAIN_LIMIT_MS): Promise<void> {
  if (request.complete || request.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      request.off('end', done);
      request.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, limitMs);
    request.once('end', done);
    request.once('close', done);
    request.unpipe();
    request.removeAllListeners('data');
    request.resume();
  });
}
