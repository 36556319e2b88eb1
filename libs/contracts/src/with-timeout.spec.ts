import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { AppError } from './app-error.js';
import { TimeoutError, withTimeout } from './with-timeout.js';

describe('withTimeout', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('resolves with the value when the promise settles first, and leaves no timer behind', async () => {
    jest.useFakeTimers();
    await expect(withTimeout(Promise.resolve(42), 1000)).resolves.toBe(42);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects with the promise’s own error when it fails first', async () => {
    jest.useFakeTimers();
    const failure = new Error('broken');
    await expect(withTimeout(Promise.reject(failure), 1000)).rejects.toBe(failure);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects with a TimeoutError once the time has passed', async () => {
    jest.useFakeTimers();
    const outcome = withTimeout(new Promise<never>(() => undefined), 250);
    const assertion = expect(outcome).rejects.toEqual(expect.objectContaining({ name: 'TimeoutError', timeoutMs: 250 }));
    await jest.advanceTimersByTimeAsync(250);
    await assertion;
    await expect(outcome).rejects.toBeInstanceOf(TimeoutError);
  });

  it('rejects with the error onTimeout builds, only when the timeout fires', async () => {
    jest.useFakeTimers();
    const onTimeout = jest.fn(() => new AppError('module_timeout', 'too slow'));
    const late = withTimeout(new Promise<never>(() => undefined), 100, onTimeout);
    const assertion = expect(late).rejects.toMatchObject({ code: 'module_timeout' });
    await jest.advanceTimersByTimeAsync(99);
    expect(onTimeout).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    await assertion;
    await expect(withTimeout(Promise.resolve('on time'), 100, onTimeout)).resolves.toBe('on time');
    expect(onTimeout).toHaveBeenCalledTimes(1);
  });
});
