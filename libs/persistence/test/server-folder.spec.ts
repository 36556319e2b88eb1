import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { postgresAccount } from '../src/private-data-dir.js';
import { EMBEDDED_POSTGRES_DIR, prepareServerFolder } from '../src/server-folder.js';

// Where the embedded server keeps its files, on the real file system and accounts of this machine.
const isRoot = process.getuid?.() === 0;
const made: string[] = [];

function privateFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'np-server-folder-')); // 0700: keeps the postgres account out
  made.push(folder);
  return folder;
}

afterAll(() => {
  for (const folder of made) rmSync(folder, { recursive: true, force: true });
});

describe('prepareServerFolder', () => {
  it('keeps the server inside a data folder its account can reach', () => {
    const reachable = mkdtempSync(join(tmpdir(), 'np-open-'));
    chmodSync(reachable, 0o755);
    made.push(reachable);
    const folder = prepareServerFolder(join(reachable, '.data'));
    expect(folder).toEqual({ databaseDir: join(reachable, '.data', EMBEDDED_POSTGRES_DIR), scratchDir: join(reachable, '.data'), relocated: false });
  });

  (isRoot ? it : it.skip)('as root, moves it to the postgres account\'s home when a folder above the data folder keeps that account out', () => {
    const dataDir = join(privateFolder(), 'clone', '.data');
    const folder = prepareServerFolder(dataDir);
    made.push(folder.scratchDir);
    const account = postgresAccount();
    expect(folder.relocated).toBe(true);
    expect(folder.databaseDir.startsWith(join(account.home, 'np-platform', 'embedded-'))).toBe(true);
    expect(statSync(folder.scratchDir)).toMatchObject({ uid: account.uid, mode: expect.any(Number) });
    expect(statSync(folder.scratchDir).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(folder.scratchDir, 'data-dir'), 'utf8').trim()).toBe(dataDir);
    // The data folder itself is for root alone now: nobody else needs to enter it.
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    // The same data folder finds the same server folder again.
    expect(prepareServerFolder(dataDir)).toEqual(folder);
    expect(existsSync(folder.databaseDir)).toBe(false);
  });
});
