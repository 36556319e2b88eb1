import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { AllowedHosts } from './address-policy.js';
import { sendWebhook } from './webhook-sender.js';

// The sender against a receiver on loopback: signatures a Standard Webhooks library accepts, and
// the address check made on the connection itself.
const secret = `whsec_${Buffer.from('a secret of thirty-two bytes!!!!').toString('base64')}`;
let server: Server;
let port: number;
const seen: { headers: Record<string, string>; body: string }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({ headers: request.headers as Record<string, string>, body });
      if (request.url === '/slow') return; // never answers
      response.writeHead(request.url === '/gone' ? 410 : 202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const message = { id: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', timestamp: new Date(), body: '{"type":"submission.created"}' };

describe('sendWebhook', () => {
  it('signs so that standardwebhooks verifies it, and answers the status', async () => {
    const outcome = await sendWebhook(`http://127.0.0.1:${port}/ok`, secret, message, { timeoutMs: 2000, allowed: new AllowedHosts('127.0.0.1') });
    expect(outcome).toEqual({ status: 202 });
    const last = seen.at(-1);
    expect(last?.headers['webhook-id']).toBe(message.id);
    expect(new Webhook(secret).verify(last?.body ?? '', last?.headers ?? {})).toEqual({ type: 'submission.created' });
    await expect(sendWebhook(`http://127.0.0.1:${port}/gone`, secret, message, { timeoutMs: 2000, allowed: new AllowedHosts('127.0.0.1') })).resolves.toEqual({ status: 410 });
  });

  it('gives up on a target that does not answer in time (a retryable failure)', async () => {
    const outcome = await sendWebhook(`http://127.0.0.1:${port}/slow`, secret, message, { timeoutMs: 200, allowed: new AllowedHosts('127.0.0.1') });
    expect(outcome).toEqual({ error: 'no answer within 200 ms', refused: false });
  });

  it('refuses, without connecting, a name that resolves to loopback and an unlisted loopback address', async () => {
    const before = seen.length;
    await expect(sendWebhook(`http://localhost:${port}/ok`, secret, message, { timeoutMs: 2000, allowed: new AllowedHosts('*') })).resolves.toMatchObject({ refused: true });
    await expect(sendWebhook(`http://127.0.0.1:${port}/ok`, secret, message, { timeoutMs: 2000, allowed: new AllowedHosts('*') })).resolves.toMatchObject({ refused: true });
    expect(seen.length).toBe(before);
  });
});
