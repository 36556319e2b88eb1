import { describe, expect, it } from '@jest/globals';
import { testDatabaseUrl } from '@np/testing';
import { PostgresLocker } from '../src/tus/postgres-locker.js';

// Two lockers stand for two replicas of the files module: one upload, one writer at a time.
describe('PostgresLocker', () => {
  it('lets a second replica lock an upload only once the first has unlocked it', async () => {
    const first = new PostgresLocker(testDatabaseUrl(), 'files_locker_test');
    const second = new PostgresLocker(testDatabaseUrl(), 'files_locker_test');
    const id = `upload-${Date.now()}`;
    const held = first.newLock(id);
    await held.lock(new AbortController().signal, () => undefined);
    let secondHasIt = false;
    const waiting = second.newLock(id);
    const acquired = waiting.lock(new AbortController().signal, () => undefined).then(() => {
      secondHasIt = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(secondHasIt).toBe(false);
    await held.unlock();
    await acquired;
    expect(secondHasIt).toBe(true);
    await waiting.unlock();
  });

  it('gives up after its timeout with tus’s lock error', async () => {
    const first = new PostgresLocker(testDatabaseUrl(), 'files_locker_test');
    const impatient = new PostgresLocker(testDatabaseUrl(), 'files_locker_test', 200);
    const id = `upload-${Date.now()}-b`;
    const held = first.newLock(id);
    await held.lock(new AbortController().signal, () => undefined);
    await expect(impatient.newLock(id).lock(new AbortController().signal, () => undefined)).rejects.toMatchObject({ status_code: 500 });
    await held.unlock();
  });
});
