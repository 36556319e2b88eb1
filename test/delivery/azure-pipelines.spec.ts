import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Ajv } from 'ajv';
import { parse } from 'yaml';

// azure-pipelines.yml and its step template checked against the Azure Pipelines schema (the one
// the Azure Pipelines editor extension uses; schemas/README.md). Azure reads every scalar as a
// string, and so does the schema: the files are parsed with YAML's failsafe schema.

const ROOT = join(import.meta.dirname, '../..');
const schema = JSON.parse(gunzipSync(readFileSync(join(import.meta.dirname, 'schemas/azure-pipelines.schema.json.gz'))).toString('utf8')) as object;
// Editor hints (firstProperty, deprecationMessage...) and patterns written for non-unicode regexps.
const validate = new Ajv({ strict: false, unicodeRegExp: false }).compile(schema);

interface Step { script?: string; template?: string; checkout?: string; fetchDepth?: string }
interface Pipeline { stages: { stage: string; jobs: { steps: Step[] }[] }[] }

function load(file: string): unknown {
  return parse(readFileSync(join(ROOT, file), 'utf8'), { schema: 'failsafe' });
}

describe('azure-pipelines.yml', () => {
  const pipeline = load('azure-pipelines.yml') as Pipeline;
  const setup = load('.azure/setup.yml') as { steps: Step[] };

  it.each(['azure-pipelines.yml', '.azure/setup.yml'])('%s is valid against the Azure Pipelines schema', (file) => {
    const document = load(file);
    expect(validate(document) ? [] : validate.errors?.slice(0, 5)).toEqual([]);
  });

  it('is refused by the schema when a key is misspelt', () => {
    const [first, ...rest] = pipeline.stages;
    const { jobs, ...stage } = first!;
    expect(validate({ ...pipeline, stages: [{ ...stage, jobz: jobs }, ...rest] })).toBe(false);
  });

  it('has the stages lint, unit, integration, cluster, e2e, images and node, each starting from the setup template', () => {
    expect(pipeline.stages.map((stage) => stage.stage)).toEqual(['lint', 'unit', 'integration', 'cluster', 'e2e', 'images', 'node']);
    for (const stage of pipeline.stages) for (const job of stage.jobs) expect(job.steps[0]).toEqual({ template: '.azure/setup.yml' });
    expect(existsSync(join(ROOT, '.azure/setup.yml'))).toBe(true);
  });

  it('runs nx affected from a base commit: the merge base for a pull request, the last green run on main', () => {
    const lint = pipeline.stages[0]!.jobs[0]!.steps.map((step) => step.script ?? '').join('\n');
    expect(lint).toContain('nx affected -t build lint --base="$(NX_BASE)" --head="$(NX_HEAD)"');
    expect(setup.steps[0]).toMatchObject({ checkout: 'self', fetchDepth: '0' });
    const script = setup.steps.map((step) => step.script ?? '').join('\n');
    expect(script).toContain('git merge-base "origin/$target" "$head"');
    expect(script).toContain('resultFilter=succeeded');
    expect(script).toContain('##vso[task.setvariable variable=NX_BASE]');
  });
});
