import { describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { splitHead } from './stream-head.js';

async function all(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString();
}

describe('splitHead', () => {
  it('answers the head and a stream of everything', async () => {
    const { head, whole } = await splitHead(Readable.from([Buffer.from('abc'), Buffer.from('defg'), Buffer.from('hij')]), 5);
    expect(head.toString()).toBe('abcde');
    await expect(all(whole)).resolves.toBe('abcdefghij');
  });

  it('copes with a stream shorter than the head, and an empty one', async () => {
    const short = await splitHead(Readable.from([Buffer.from('ab')]), 5);
    expect(short.head.toString()).toBe('ab');
    await expect(all(short.whole)).resolves.toBe('ab');
    const empty = await splitHead(Readable.from([]), 5);
    expect(empty.head.length).toBe(0);
    await expect(all(empty.whole)).resolves.toBe('');
  });

  it('fails when the source fails before the head is in', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from('a');
      throw new Error('gone');
    }
    await expect(splitHead(Readable.from(failing()), 5)).rejects.toThrow('gone');
  });
});
