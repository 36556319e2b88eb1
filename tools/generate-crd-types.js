// Generates the operator's TypeScript types for the Tenant resource from the CRD, the single source
// of truth (crds/platform.np.dev_tenants.yaml). `npm run generate:crd-types` writes the file; a unit
// test renders it again and fails when the committed file differs, so the two cannot drift apart.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compile } from 'json-schema-to-typescript';
import { parse } from 'yaml';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CRD_PATH = join(ROOT, 'crds/platform.np.dev_tenants.yaml');
export const TYPES_PATH = join(ROOT, 'operator/src/api/tenant.generated.ts');

/** Renders the TypeScript module for the CRD's served version. */
export async function renderTenantTypes(crdText = readFileSync(CRD_PATH, 'utf8')) {
  const crd = parse(crdText);
  const version = crd.spec.versions.find((candidate) => candidate.storage);
  const { spec, status } = structuredClone(version.schema.openAPIV3Schema.properties);
  nameNestedTypes(spec, status);
  const schema = {
    title: 'TenantResource',
    type: 'object',
    additionalProperties: false,
    required: ['spec'],
    properties: { spec: withTitle(spec, 'TenantSpec'), status: withTitle(status, 'TenantStatus') },
  };
  const body = await compile(stripKubernetesExtensions(schema), 'TenantResource', {
    bannerComment: '',
    additionalProperties: false,
    maxItems: -1,
    format: true,
    style: { singleQuote: true },
  });
  return [
    '// Generated from crds/platform.np.dev_tenants.yaml by `npm run generate:crd-types`. Do not edit.',
    `// API: ${crd.spec.group}/${version.name}, kind ${crd.spec.names.kind}.`,
    '',
    "import type { OptionalModuleName } from '@np/modules';",
    '',
    body.trim(),
    '',
  ].join('\n');
}

/** Named interfaces for the nested objects the operator passes around, instead of inline shapes. */
function nameNestedTypes(spec, status) {
  spec.properties.ingress.title = 'TenantIngress';
  const module = spec.properties.modules.items;
  module.title = 'TenantModule';
  // The enum is the manifest's list of optional modules (tenant-modules.spec.ts checks it): typed
  // from the manifest, the generated file does not change when a module is added.
  module.properties.name.tsType = 'OptionalModuleName';
  delete spec.properties.modules.maxItems; // the number of optional modules: no type information

  module.properties.replicas.title = 'ModuleReplicas';
  module.properties.autoscaling.title = 'ModuleAutoscaling';
  module.properties.resources.title = 'ModuleResources';
  module.properties.resources.properties.requests.title = 'ResourceQuantities';
  module.properties.resources.properties.limits = { $ref: '#/properties/spec/properties/modules/items/properties/resources/properties/requests' };
  status.properties.conditions.items.title = 'TenantCondition';
  status.properties.modules.items.title = 'ModuleStatus';
}

function withTitle(schema, title) {
  return { ...schema, title };
}

/** json-schema-to-typescript does not know the x-kubernetes-* keywords; they carry no type information. */
function stripKubernetesExtensions(value) {
  if (Array.isArray(value)) return value.map(stripKubernetesExtensions);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.startsWith('x-kubernetes-'))
      .map(([key, child]) => [key, stripKubernetesExtensions(child)]),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(TYPES_PATH, await renderTenantTypes());
  console.log(`wrote ${TYPES_PATH}`);
}
