import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { MODULE_MANIFEST, OPTIONAL_MODULE_NAMES } from '@np/modules';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '../../..');

interface ModulesProperty {
  maxItems: number;
  items: { properties: { name: { enum: string[] } } };
}

function crdModules(): ModulesProperty {
  const crd = parse(readFileSync(join(ROOT, 'crds/platform.np.dev_tenants.yaml'), 'utf8')) as {
    spec: { versions: { storage: boolean; schema: { openAPIV3Schema: { properties: { spec: { properties: { modules: ModulesProperty } } } } } }[] };
  };
  const version = crd.spec.versions.find((candidate) => candidate.storage);
  return version!.schema.openAPIV3Schema.properties.spec.properties.modules;
}

describe('the Tenant CRD and the module manifest', () => {
  it('accept the same optional modules, in manifest order (edit crds/ after the manifest, or let `npm run new:module` do it)', () => {
    expect(crdModules().items.properties.name.enum).toEqual([...OPTIONAL_MODULE_NAMES]);
  });

  it('let a Tenant list each optional module once', () => {
    expect(crdModules().maxItems).toBe(OPTIONAL_MODULE_NAMES.length);
  });
});

describe('the Helm chart', () => {
  // The chart deploys the operator only; module names, images and sizes come from the manifest
  // through the operator. A module list in the values would be a second one that can drift.
  it.each(['values.yaml', 'values.schema.json'])('keeps no module list of its own in %s', (file) => {
    const text = readFileSync(join(ROOT, 'charts/np-platform', file), 'utf8');
    const named = MODULE_MANIFEST.filter((entry) => entry.kind === 'module' && new RegExp(`\\b${entry.name}\\b`).test(text));
    expect(named.map((entry) => entry.name)).toEqual([]);
  });
});
