import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { TYPES_PATH, renderTenantTypes } from '../../../tools/generate-crd-types.js';

describe('Tenant types', () => {
  it('are what the CRD generates (run `npm run generate:crd-types` after changing the CRD)', async () => {
    const rendered = (await renderTenantTypes()) as string;
    expect(readFileSync(TYPES_PATH as string, 'utf8')).toBe(rendered);
  });
});
