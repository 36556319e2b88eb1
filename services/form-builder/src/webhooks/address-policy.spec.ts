import { describe, expect, it } from '@jest/globals';
import { retryDelayMs } from './webhook-dispatcher.js';
import { AllowedHosts, isPublicAddress } from './address-policy.js';
import { isRetryable, isSuccess } from './webhook-sender.js';

describe('webhook targets', () => {
  it('tells public addresses from loopback, private, link-local and mapped ones', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1']) {
      expect([address, isPublicAddress(address)]).toEqual([address, false]);
    }
    for (const address of ['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111']) expect([address, isPublicAddress(address)]).toEqual([address, true]);
  });

  it('lets listed hosts through whatever they resolve to, and others only when * is listed and every address is public', () => {
    const allowed = new AllowedHosts('*, 127.0.0.1, Hooks.Internal');
    expect(allowed.refusal('127.0.0.1', ['127.0.0.1'])).toBeUndefined();
    expect(allowed.refusal('hooks.internal', ['10.0.0.5'])).toBeUndefined();
    expect(allowed.refusal('example.com', ['93.184.215.14'])).toBeUndefined();
    expect(allowed.refusal('localhost', ['127.0.0.1'])).toMatch(/private or loopback/);
    expect(allowed.refusal('rebind.example', ['93.184.215.14', '10.0.0.1'])).toMatch(/10\.0\.0\.1/);
    expect(new AllowedHosts('hooks.example').refusal('example.com', ['93.184.215.14'])).toMatch(/not in NP_WEBHOOK_ALLOWED_HOSTS/);
  });

  it('retries timeouts, 408, 429 and 5xx with exponential backoff; refusals and other answers are final', () => {
    expect([408, 429, 500, 503].map((status) => isRetryable({ status }))).toEqual([true, true, true, true]);
    expect([400, 401, 404, 301].map((status) => isRetryable({ status }))).toEqual([false, false, false, false]);
    expect(isRetryable({ error: 'no answer within 5000 ms', refused: false })).toBe(true);
    expect(isRetryable({ error: 'refused', refused: true })).toBe(false);
    expect([isSuccess({ status: 204 }), isSuccess({ status: 302 })]).toEqual([true, false]);
    expect([1, 2, 3, 4].map((attempts) => retryDelayMs(100, attempts))).toEqual([100, 200, 400, 800]);
  });
});
