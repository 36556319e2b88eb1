import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { MODULE_NAMES } from './module-lists.js';
import { renderModuleTable } from './module-table.js';

const README = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');

function readmeTable(): string {
  const match = /<!-- module-table:start -->\n([\s\S]*?)\n<!-- module-table:end -->/.exec(README);
  if (!match) throw new Error('README.md has no module table between the module-table markers');
  return match[1]!;
}

describe('the README module table', () => {
  it('lists exactly the modules of the manifest, in its order', () => {
    const names = readmeTable()
      .split('\n')
      .slice(2)
      .map((row) => /^\| `([^`]+)`/.exec(row)?.[1]);
    expect(names).toEqual([...MODULE_NAMES]);
  });

  it('is the table rendered from the manifest (paste the expected text into README.md)', () => {
    expect(readmeTable()).toBe(renderModuleTable());
  });
});
