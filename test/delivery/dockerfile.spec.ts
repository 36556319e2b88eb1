import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { compileCacheEnv } from '../../tools/images/compile-cache.js';

// The root Dockerfile, parsed (dockerfile-ast, the parser of the Dockerfile language server), must
// build what `npm run images` builds: the same Node, the same /app (stage-app.js), user and entry.

const ROOT = join(import.meta.dirname, '../..');
const dockerfile = DockerfileParser.parse(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };

function runtimeInstructions(): { keyword: string; args: string; flags: string[] }[] {
  const instructions = dockerfile.getInstructions();
  const start = instructions.findIndex((instruction) => instruction.getKeyword() === 'FROM' && instruction.getArgumentsContent()?.endsWith('AS runtime'));
  return instructions.slice(start).map((instruction) => ({
    keyword: instruction.getKeyword(),
    args: instruction.getArgumentsContent() ?? '',
    flags: 'getFlags' in instruction ? (instruction as unknown as { getFlags(): { toString(): string }[] }).getFlags().map(String) : [],
  }));
}

describe('the root Dockerfile', () => {
  it('has a build and a runtime stage on the Node version of the node devDependency', () => {
    expect(dockerfile.getFROMs().map((from) => from.getBuildStage())).toEqual(['build', 'runtime']);
    const nodeImage = dockerfile.getARGs().find((arg) => arg.getProperty()?.getName() === 'NODE_IMAGE');
    expect(nodeImage?.getProperty()?.getValue()).toBe(`node:${rootPackage.devDependencies.node}-bookworm-slim`);
  });

  it('stages /app with the script the daemonless build uses, and copies only that into the runtime stage', () => {
    const runs = dockerfile.getInstructions().filter((instruction) => instruction.getKeyword() === 'RUN').map((instruction) => instruction.getArgumentsContent() ?? '');
    expect(runs.some((run) => run.includes('node tools/images/stage-app.js "$WORKSPACE" /app'))).toBe(true);
    const copies = runtimeInstructions().filter((instruction) => instruction.keyword === 'COPY');
    expect(copies).toEqual([{ keyword: 'COPY', args: '/app /app', flags: ['--from=build'] }]);
  });

  it('runs node /app/main.mjs as PID 1 under uid 10001, with OCI labels', () => {
    const runtime = runtimeInstructions();
    expect(runtime.filter((instruction) => instruction.keyword === 'USER').map((instruction) => instruction.args)).toEqual(['10001:10001']);
    expect(dockerfile.getENTRYPOINTs().map((entry) => entry.getArgumentsContent())).toEqual(['["node", "/app/main.mjs"]']);
    expect(dockerfile.getCMDs()).toEqual([]);
    const labels = runtime.filter((instruction) => instruction.keyword === 'LABEL').map((instruction) => instruction.args).join(' ');
    for (const key of ['title', 'description', 'version', 'revision', 'source', 'licenses']) expect(labels).toContain(`org.opencontainers.image.${key}=`);
  });

  it('turns on the compile cache stage-app.js writes, as the daemonless build does', () => {
    const env = runtimeInstructions().filter((instruction) => instruction.keyword === 'ENV').map((instruction) => instruction.args).join(' ');
    for (const [key, value] of Object.entries(compileCacheEnv())) expect(env).toContain(`${key}=${value}`);
  });
});
