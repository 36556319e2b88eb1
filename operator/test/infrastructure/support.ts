import { randomBytes } from 'node:crypto';
import type { Account } from '../../src/infrastructure/provisioner.js';
import { freePort } from '../../../test/harness/free-port.js';

/** A tenant name (a DNS label) no other run uses. */
export function uniqueTenant(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/** What the operator generates: base64url, printable ASCII. */
export function newPassword(): string {
  return randomBytes(18).toString('base64url');
}

export function account(username: string): Account {
  return { username, password: newPassword() };
}

/** Polls until `check` holds (the broker applies some changes asynchronously); fails after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 10_000, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The rejection of `promise`, for asserting on its fields; fails when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error as Error & Record<string, unknown>;
    throw new Error(`rejected with a non-error: ${String(error)}`, { cause: error });
  }
  throw new Error('expected a rejection, but it resolved');
}

/** A loopback port nothing listens on (bound once, then released): a server that is down. */
export async function closedPort(): Promise<number> {
  return (await freePort()) as number;
}
