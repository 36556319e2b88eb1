import { EventEmitter } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import { createLogger } from '@np/observability';
import { closeOnSignals, type Closer } from './process-lifecycle.js';

const logger = createLogger({ service: 'lifecycle-test', level: 'silent' });

/** A fake process: emits signals on demand and records the exit code. */
function fakeProcess() {
  const signals = new EventEmitter();
  let resolveExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });
  const codes: number[] = [];
  const exit = (code: number): void => {
    codes.push(code);
    resolveExit(code);
  };
  return { signals, exit, exited, codes };
}

describe('closeOnSignals', () => {
  it('runs the closers once, in the order given, then exits 0', async () => {
    const fake = fakeProcess();
    const order: string[] = [];
    const closer = (name: string): Closer => () => {
      order.push(name);
      return Promise.resolve();
    };
    closeOnSignals(logger, [closer('gateway'), closer('modules'), closer('database')], { graceMs: 60_000, ...fake });

    fake.signals.emit('SIGTERM', 'SIGTERM');
    fake.signals.emit('SIGINT', 'SIGINT');

    expect(await fake.exited).toBe(0);
    expect(order).toEqual(['gateway', 'modules', 'database']);
  });

  it('goes on with the next closer when one fails', async () => {
    const fake = fakeProcess();
    const closed: string[] = [];
    closeOnSignals(
      logger,
      [
        () => Promise.reject(new Error('broken')),
        () => {
          closed.push('database');
          return Promise.resolve();
        },
      ],
      { graceMs: 60_000, ...fake },
    );

    fake.signals.emit('SIGINT', 'SIGINT');

    expect(await fake.exited).toBe(0);
    expect(closed).toEqual(['database']);
  });

  it('exits 1 after the grace period when a closer hangs, skipping what comes after it', async () => {
    const fake = fakeProcess();
    let reachedAfterHang = false;
    closeOnSignals(
      logger,
      [
        () => new Promise<never>(() => undefined),
        () => {
          reachedAfterHang = true;
          return Promise.resolve();
        },
      ],
      { graceMs: 20, ...fake },
    );

    fake.signals.emit('SIGTERM', 'SIGTERM');

    expect(await fake.exited).toBe(1);
    expect(reachedAfterHang).toBe(false);
    expect(fake.codes).toEqual([1]);
  });
});
