/**
 * Per-tenant infrastructure on the servers the platform runs on: one provisioner per kind of
 * server (messaging, database, object store, identity). Another implementation of a kind (a
 * managed database, SeaweedFS, an organization instead of a realm) is a new file behind the same
 * interface, chosen by the operator's settings.
 *
 * Every provisioner is level-triggered and idempotent: `ensure` reads first and writes only what
 * is missing or wrong, so a second call on a converged tenant makes no write; something deleted
 * by hand is created again. Credentials are chosen by the caller (generated once by the operator
 * and kept in the tenant's Secrets) and handed in, so a provisioner never has to read a secret
 * back from a server.
 */

/** The kinds of server a tenant gets a share of; each has its own status condition. */
export type InfrastructureKind = 'messaging' | 'database' | 'objectStore' | 'identity';

/** A login on a server: a user and its password (or an access key and its secret). */
export interface Account {
  username: string;
  password: string;
}

/** Requests a provisioner sent to its server, for the benchmark and the no-write check of a resync. */
export interface ServerCalls {
  reads: number;
  writes: number;
}

export interface Provisioner<Spec> {
  readonly kind: InfrastructureKind;
  /** Calls sent so far (reads: GET/HEAD/SELECT; writes: everything that changes the server). */
  readonly calls: ServerCalls;
  /**
   * Creates or repairs everything `spec` names. Throws `NotOwnedError` when a name exists on the
   * server without the marker this operator leaves, and `ServerUnavailableError` (with the server's
   * own message) when the server cannot be reached or refuses.
   */
  ensure(spec: Spec): Promise<void>;
  /** Deletes everything `ensure` created for the tenant (deletionPolicy Delete); nothing left is fine. */
  remove(spec: Spec): Promise<void>;
}

/** The name is taken on the server by something this operator did not create: never adopt it. */
export class NotOwnedError extends Error {
  override readonly name = 'NotOwnedError';
  constructor(
    readonly kind: InfrastructureKind,
    readonly resource: string,
  ) {
    super(`${resource} exists and was not created by the operator; refusing to adopt it`);
  }
}

/** The server is down, unreachable or refused a request; `message` carries what it said. */
export class ServerUnavailableError extends Error {
  override readonly name = 'ServerUnavailableError';
  constructor(
    readonly kind: InfrastructureKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What the operator writes on every server-side object it creates, to recognise its own. */
export const OWNER_MARKER = 'np-platform-operator';
