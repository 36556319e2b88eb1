import { describe, expect, it } from '@jest/globals';
import { MODULE_MANIFEST, moduleEntry } from '@np/modules';
import { SERVICES } from './common.js';
import { EVENTS, MESSAGES, MODULES, OPTIONAL_MODULES, type MessagePattern } from './patterns.js';

describe('the bus tables and the module manifest', () => {
  it('take their module lists from the manifest', () => {
    expect(SERVICES).toEqual(MODULE_MANIFEST.map((entry) => entry.name));
    expect(MODULES).toEqual(MODULE_MANIFEST.filter((entry) => entry.kind === 'module').map((entry) => entry.name));
    expect(OPTIONAL_MODULES).toEqual(MODULE_MANIFEST.filter((entry) => !entry.alwaysOn).map((entry) => entry.name));
  });

  it.each(Object.keys(MESSAGES) as MessagePattern[])('route %s to the module whose prefix it carries', (pattern) => {
    const prefix = moduleEntry(MESSAGES[pattern].module).bus?.patternPrefix;
    expect(prefix && pattern.startsWith(prefix)).toBe(true);
  });

  it('publish exactly the events the manifest lists', () => {
    expect(Object.keys(EVENTS).sort()).toEqual(MODULE_MANIFEST.flatMap((entry) => entry.events).sort());
  });
});
