import { Readable } from 'node:stream';

/**
 * Reads the first `bytes` of a stream (fewer when it ends sooner) and answers them with a stream
 * of everything, head included, that fails when the source fails. Only the head is held.
 */
export async function splitHead(source: Readable, bytes: number): Promise<{ head: Buffer; whole: Readable }> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const chunks: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done === true) {
      ended = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    chunks.push(chunk);
    length += chunk.length;
  }
  const head = Buffer.concat(chunks);
  async function* everything(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (ended) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    }
  }
  const whole = Readable.from(everything(), { objectMode: false });
  // Whoever gives up on the whole stream gives up on the source too.
  whole.once('close', () => {
    if (!source.destroyed && !source.readableEnded) source.destroy();
  });
  return { head: head.subarray(0, bytes), whole };
}
