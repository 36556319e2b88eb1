import type { IncomingMessage } from 'node:http';

/** Reads and drops what is left of a request body; resolves once it ended, the client went, or `limitMs` passed. */
export function drainBody(request: IncomingMessage, limitMs: number): Promise<void> {
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
    request.resume();
  });
}
