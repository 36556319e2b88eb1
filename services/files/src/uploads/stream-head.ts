import { Readable } from 'node:stream';

/**
 * Reads the first `bytes` of a stream (fewer when it ends sooner) and answers them with a stream
 * of everything, head included, that fails when the source fails. Only the head is held: it is
 * put back into the source (`unshift`), which then flows on as it came.
 */
export async function splitHead(source: Readable, bytes: number): Promise<{ head: Buffer; whole: Readable }> {
  const chunks: Buffer[] = [];
  let length = 0;
  let ended = false;
  const onEnd = (): void => {
    ended = true;
  };
  source.once('end', onEnd);
  try {
    while (length < bytes) {
      const chunk = source.read() as Buffer | string | null;
      if (chunk !== null) {
        const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        chunks.push(buffer);
        length += buffer.length;
        continue;
      }
      if (ended || source.readableEnded) break;
      await nextEvent(source);
    }
  } finally {
    source.off('end', onEnd);
  }
  const head = Buffer.concat(chunks);
  if (ended || source.readableEnded) return { head: head.subarray(0, bytes), whole: Readable.from(head.length > 0 ? [head] : []) };
  if (head.length > 0) source.unshift(head);
  return { head: head.subarray(0, bytes), whole: source };
}

/** Resolves when the stream has more to read or ended; rejects when it failed. */
function nextEvent(source: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      source.off('readable', done);
      source.off('end', done);
      source.off('close', done);
      source.off('error', fail);
    };
    const done = (): void => {
      cleanup();
      resolve();
    };
    const fail = (error: Error): void => {
      cleanup();
      reject(error);
    };
    source.once('readable', done);
    source.once('end', done);
    source.once('close', done);
    source.once('error', fail);
  });
}
