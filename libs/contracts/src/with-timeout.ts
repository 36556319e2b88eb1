/** What `withTimeout` rejects with when no other error is given. */
export class TimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * Settles like `promise`, or rejects with `onTimeout()` once `timeoutMs` has passed first. The
 * timer is cleared as soon as either side settles, so nothing keeps the process alive or fires
 * late. The promise itself is not cancelled (a promise cannot be): a caller that must stop the
 * work too has to do so itself.
 */
export async function withTimeout<T>(promise: PromiseLike<T>, timeoutMs: number, onTimeout: () => Error = () => new TimeoutError(timeoutMs)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(onTimeout()), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
