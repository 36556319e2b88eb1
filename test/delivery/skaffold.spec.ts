import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { moduleEntry, PROCESS_MODULES } from '@np/modules';

// skaffold.yaml checked against Skaffold's own JSON schema for v4beta14 (schemas/README.md), and
// against the module manifest: an artifact per image, the chart it installs.

const ROOT = join(import.meta.dirname, '../..');
const config = parse(readFileSync(join(ROOT, 'skaffold.yaml'), 'utf8')) as {
  apiVersion: string;
  build: { artifacts: { image: string; docker: { dockerfile: string; buildArgs: Record<string, string> } }[] };
  manifests: { helm: { releases: { chartPath: string; setValueTemplates: Record<string, string> }[] } };
  profiles: { name: string }[];
};
const schema = JSON.parse(readFileSync(join(import.meta.dirname, 'schemas/skaffold-v4beta14.json'), 'utf8')) as object;
// The schema carries editor hints (x-intellij-html-description, preferredOrder) strict mode would refuse.
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

describe('skaffold.yaml', () => {
  it('is a valid v4beta14 config', () => {
    expect(config.apiVersion).toBe('skaffold/v4beta14');
    expect(validate(config) ? [] : validate.errors).toEqual([]);
  });

  it('is refused by the schema when a key is misspelt', () => {
    const broken = { ...config, build: { ...config.build, artefacts: config.build.artifacts } };
    expect(validate(broken)).toBe(false);
  });

  it('builds one artifact per image of the manifest and the operator, from the root Dockerfile', () => {
    const expected = [...PROCESS_MODULES.map((name) => [`ghcr.io/np-platform/${moduleEntry(name).image}`, `services/${name}`]), ['ghcr.io/np-platform/operator', 'operator']];
    const artifacts = config.build.artifacts.map((artifact) => [artifact.image, artifact.docker.buildArgs.WORKSPACE]);
    expect(artifacts.sort()).toEqual(expected.sort());
    for (const artifact of config.build.artifacts) expect(artifact.docker.dockerfile).toBe('Dockerfile');
  });

  it('installs the chart of the repository with the built operator image, and has dev and ci profiles', () => {
    const [release] = config.manifests.helm.releases;
    expect(existsSync(join(ROOT, release!.chartPath, 'Chart.yaml'))).toBe(true);
    expect(release!.setValueTemplates['image.tag']).toContain('IMAGE_TAG_ghcr_io_np_platform_operator');
    expect(config.profiles.map((profile) => profile.name).sort()).toEqual(['ci', 'dev']);
  });
});
