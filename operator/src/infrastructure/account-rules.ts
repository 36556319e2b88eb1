import type { Account } from './provisioner.js';

/**
 * Passwords are printable ASCII, at least 16 characters (the operator generates base64url): the
 * same bytes reach every client and every hash, whatever Unicode normalisation (SASLprep) a client
 * or server would apply, so a password set here is the password a module logs in with.
 */
const PASSWORD = /^[\x21-\x7e]{16,}$/;

/** An account a caller built wrong is a programming error, not a server's refusal. */
export function assertAccount(account: Account, what: string): void {
  if (account.username === '') throw new Error(`${what}: empty user name`);
  if (!PASSWORD.test(account.password)) throw new Error(`${what}: the password of ${account.username} must be at least 16 printable ASCII characters`);
}

export function assertDistinct(names: readonly string[], what: string): void {
  if (new Set(names).size !== names.length) throw new Error(`${what} must be distinct: ${names.join(', ')}`);
}
