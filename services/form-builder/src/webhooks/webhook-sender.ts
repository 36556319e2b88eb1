import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { AllowedHosts } from './address-policy.js';
import { addressesOf, guardedLookup } from './webhook-target.js';

/** One attempt's outcome: the target's status, or why there was none. */
export type AttemptOutcome = { status: number } | { error: string; refused: boolean };

export interface SignedMessage {
  id: string;
  timestamp: Date;
  body: string;
}

/**
 * Sends one delivery, signed as Standard Webhooks says (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64 HMAC-SHA256>`), with `standardwebhooks`. Redirects are not
 * followed (a 3xx is an answer like any other) and the body of the answer is not kept.
 */
export async function sendWebhook(target: string, secret: string, message: SignedMessage, options: { timeoutMs: number; allowed: AllowedHosts }): Promise<AttemptOutcome> {
  const url = new URL(target);
  const signature = new Webhook(secret).sign(message.id, message.timestamp, message.body);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'np-platform-webhooks',
    'webhook-id': message.id,
    'webhook-timestamp': String(Math.floor(message.timestamp.getTime() / 1000)),
    'webhook-signature': signature,
  };
  const host = url.hostname;
  // An address literal is never looked up by http.request: check it here.
  if (isIP(host.replace(/^\[|\]$/g, '')) !== 0) {
    const refusal = options.allowed.refusal(host, await addressesOf(host));
    if (refusal) return { error: refusal, refused: true };
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<AttemptOutcome>((resolve) => {
    const request = send(url, { method: 'POST', headers, lookup: guardedLookup(host, options.allowed), timeout: options.timeoutMs }, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0 });
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.message, refused: error.code === 'ETARGETREFUSED' }));
    request.end(message.body);
  });
}

/** Timeouts, connection failures, 408, 429 and 5xx are tried again; other answers are final. */
export function isRetryable(outcome: AttemptOutcome): boolean {
  if ('error' in outcome) return !outcome.refused;
  return outcome.status === 408 || outcome.status === 429 || outcome.status >= 500;
}

export function isSuccess(outcome: AttemptOutcome): boolean {
  return 'status' in outcome && outcome.status >= 200 && outcome.status < 300;
}
