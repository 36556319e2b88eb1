import { describe, expect, it } from '@jest/globals';
import { AvailabilityCache, type QueueState } from './availability-cache.js';

describe('AvailabilityCache', () => {
  function subject(given: boolean[]) {
    const answers: QueueState[] = given.map((served) => (served ? 'served' : 'idle'));
    let now = 0;
    const checks: string[] = [];
    const cache = new AvailabilityCache(500, async (key) => {
      checks.push(key);
      return answers.shift() ?? 'idle';
    }, () => now);
    return { cache, checks, advance: (ms: number) => (now += ms) };
  }

  it('believes a positive answer for the ttl, then checks again', async () => {
    const { cache, checks, advance } = subject([true, true]);
    expect(await cache.stateOf('rpc.users')).toBe('served');
    advance(499);
    expect(await cache.stateOf('rpc.users')).toBe('served');
    expect(checks).toHaveLength(1);
    advance(1);
    expect(await cache.stateOf('rpc.users')).toBe('served');
    expect(checks).toHaveLength(2);
  });

  it('re-checks on every miss, so a module that comes back is used at once', async () => {
    const { cache, checks } = subject([false, false, true]);
    expect(await cache.stateOf('rpc.users')).toBe('idle');
    expect(await cache.stateOf('rpc.users')).toBe('idle');
    expect(await cache.stateOf('rpc.users')).toBe('served');
    expect(checks).toHaveLength(3);
  });

  it('shares one check between concurrent callers and keeps modules apart', async () => {
    const { cache, checks } = subject([true, false]);
    const answers = await Promise.all([cache.stateOf('rpc.users'), cache.stateOf('rpc.users'), cache.stateOf('rpc.auth')]);
    expect(answers).toEqual(['served', 'served', 'idle']);
    expect(checks).toEqual(['rpc.users', 'rpc.auth']);
  });

  it('forgets everything on clear()', async () => {
    const { cache, checks } = subject([true, true]);
    await cache.stateOf('rpc.users');
    cache.clear();
    await cache.stateOf('rpc.users');
    expect(checks).toHaveLength(2);
  });

  it('does not cache a failed check', async () => {
    let calls = 0;
    const cache = new AvailabilityCache(500, async () => {
      calls += 1;
      if (calls === 1) throw new Error('channel closed');
      return 'served' as const;
    });
    await expect(cache.stateOf('rpc.users')).rejects.toThrow('channel closed');
    await expect(cache.stateOf('rpc.users')).resolves.toBe('served');
  });
});
