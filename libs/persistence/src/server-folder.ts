import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Account, blockingFolderFor, postgresAccount, preparePrivateDataDir } from './private-data-dir.js';

/** The server's own folder inside the data folder, where it lives unless it cannot (see below). */
export const EMBEDDED_POSTGRES_DIR = 'postgres';

export interface ServerFolder {
  /** PostgreSQL's data directory. */
  databaseDir: string;
  /** A folder PostgreSQL's account can write its temporary files to (initdb's password file). */
  scratchDir: string;
  /** True when it lives in the postgres account's home rather than in the data folder. */
  relocated: boolean;
}

/**
 * Prepares the data folder and says where the embedded server keeps its files: in
 * `<dataDir>/postgres`, or, as root when a folder above the data folder keeps the postgres
 * account out (a clone in root's 0700 home or in a `mktemp -d` folder), in a folder of that
 * account's home named after the data folder, so `npm start` works from any checkout. The data
 * folder then stays 0700: no other account needs to enter it. A server folder that already exists
 * inside the data folder stays there.
 */
export function prepareServerFolder(dataDir: string): ServerFolder {
  const inside = join(dataDir, EMBEDDED_POSTGRES_DIR);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (process.getuid?.() !== 0 || existsSync(join(inside, 'PG_VERSION'))) return inPlace(dataDir, inside);
  const account = postgresAccount();
  if (!blockingFolderFor(dirname(resolve(dataDir)), account)) return inPlace(dataDir, inside);
  preparePrivateDataDir(dataDir, { shareWithPostgres: false });
  const home = relocatedHome(dataDir, account);
  return { databaseDir: join(home, EMBEDDED_POSTGRES_DIR), scratchDir: home, relocated: true };
}

function inPlace(dataDir: string, databaseDir: string): ServerFolder {
  preparePrivateDataDir(dataDir);
  return { databaseDir, scratchDir: dataDir, relocated: false };
}

/** `~postgres/np-platform/embedded-<hash of the data folder>`, 0700 for that account, naming the data folder it serves. */
function relocatedHome(dataDir: string, account: Account): string {
  const absolute = resolve(dataDir);
  const home = join(account.home, 'np-platform', `embedded-${createHash('sha256').update(absolute).digest('hex').slice(0, 12)}`);
  for (const folder of [dirname(home), home]) {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    chownSync(folder, account.uid, account.gid);
    chmodSync(folder, folder === home ? 0o700 : 0o755);
  }
  // For whoever finds the folder later: which data folder it belongs to.
  writeFileSync(join(home, 'data-dir'), `${absolute}\n`, { mode: 0o644 });
  chownSync(join(home, 'data-dir'), account.uid, account.gid);
  return home;
}
