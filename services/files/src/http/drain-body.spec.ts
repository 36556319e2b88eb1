import { describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { drainBody } from './drain-body.js';

/** Sends `bytes` to a server whose handler is `handle`; answers the status and body the client read. */
async function exchange(bytes: number, handle: (request: IncomingMessage) => Promise<void>): Promise<{ status: number; body: string; drained: boolean }> {
  let drained = false;
  const server = createServer((incoming, response) => {
    void handle(incoming).then(() => {
      drained = incoming.complete;
      response.writeHead(503, { 'content-type': 'application/json', connection: 'close' }).end('{"code":"storage_unavailable"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise((resolve, reject) => {
      const sent = request({ host: '127.0.0.1', port, method: 'PATCH', headers: { 'content-length': String(bytes) } }, (answer) => {
        let body = '';
        answer.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 0, body, drained }));
      });
      sent.on('error', reject);
      sent.end(Buffer.alloc(bytes, 7));
    });
  } finally {
    server.close();
  }
}

describe('drainBody', () => {
  it('reads a refused body to its end, even one a web stream adapter stopped pulling, so the answer arrives whole', async () => {
    const answer = await exchange(8 * 1024 * 1024, async (incoming) => {
      // What @tus/server does: the body as a web stream, read a little, then abandoned.
      const reader = Readable.toWeb(incoming).getReader();
      await reader.read();
      await drainBody(incoming, 10_000);
    });
    expect(answer).toEqual({ status: 503, body: '{"code":"storage_unavailable"}', drained: true });
  });

  it('answers after its limit when the client stops sending (the body never ends)', async () => {
    const server = createServer((incoming, response) => {
      void drainBody(incoming, 200).then(() => response.end('late'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const sent = request({ host: '127.0.0.1', port, method: 'PATCH', headers: { 'content-length': '1000' } }, (answer) => {
          let text = '';
          answer.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          answer.on('end', () => resolve(text));
        });
        sent.on('error', reject);
        // Half the body, then nothing.
        sent.write(Buffer.alloc(500));
      });
      expect(body).toBe('late');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
