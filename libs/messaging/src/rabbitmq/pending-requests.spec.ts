import { describe, expect, it } from '@jest/globals';
import { AppError } from '@np/contracts';
import { PendingRequests } from './pending-requests.js';

const timeout = () => new AppError('module_timeout', 'late');

describe('PendingRequests', () => {
  it('resolves a request with its reply exactly once', async () => {
    const pending = new PendingRequests();
    const reply = pending.add('a', 1, 1000, timeout);
    expect(pending.resolve('a', { ok: true, body: 1 })).toBe(true);
    expect(pending.resolve('a', { ok: true, body: 2 })).toBe(false);
    await expect(reply).resolves.toEqual({ ok: true, body: 1 });
    expect(pending.size).toBe(0);
  });

  it('rejects with the timeout error when no reply comes', async () => {
    const pending = new PendingRequests();
    await expect(pending.add('a', 1, 10, timeout)).rejects.toMatchObject({ code: 'module_timeout' });
    expect(pending.size).toBe(0);
  });

  it('fails only the requests of a dead channel generation', async () => {
    const pending = new PendingRequests();
    const old = pending.add('old', 1, 1000, timeout);
    const current = pending.add('new', 2, 1000, timeout);
    pending.rejectAll(() => new AppError('bus_unavailable', 'gone'), 1);
    await expect(old).rejects.toMatchObject({ code: 'bus_unavailable' });
    expect(pending.size).toBe(1);
    pending.rejectAll(() => new AppError('bus_unavailable', 'gone'));
    await expect(current).rejects.toMatchObject({ code: 'bus_unavailable' });
  });
});
