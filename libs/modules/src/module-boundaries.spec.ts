import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { boundaries } from '../../../eslint.config.js';

const ROOT = join(import.meta.dirname, '../../..');

/** The repository's boundary rules, without the type-aware rest (the fixtures are not in any tsconfig). */
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...boundaries],
});

async function restrictedImports(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(ROOT, file) });
  return result!.messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('module boundaries (eslint.config.js)', () => {
  it.each([
    ['a library imports a service', 'libs/contracts/src/bad.ts', "import { startGateway } from '@np/gateway';"],
    ['a library imports the operator', 'libs/auth/src/bad.ts', "export * from '@np/operator';"],
    ['a library imports a type from a service', 'libs/runtime/src/bad.ts', "import type { AuthService } from '@np/auth-service';"],
    ['a service imports another service', 'services/gateway/src/bad.ts', "import { startUsersService } from '@np/users';"],
    ['a service imports a deep path of another', 'services/users/src/bad.ts', "import { x } from '@np/auth-service/dist/index.js';"],
    ['a service imports the launcher', 'services/auth/src/bad.ts', "import { startEmbedded } from '@np/embedded';"],
    ['the operator imports a service', 'operator/src/bad.ts', "import { startGateway } from '@np/gateway';"],
    ['a service reaches into a sibling by a relative path', 'services/users/src/bad.ts', "import { x } from '../../auth/src/index.js';"],
  ])('fail when %s', async (_case, file, source) => {
    expect(await restrictedImports(file, source)).toHaveLength(1);
  });

  it.each([
    ['the embedded launcher imports services', 'services/embedded/src/fine.ts', "import { startGateway } from '@np/gateway';\nimport { startUsersService } from '@np/users';"],
    ['a service imports libraries', 'services/users/src/fine.ts', "import { AppError } from '@np/contracts';\nimport { MODULE_MANIFEST } from '@np/modules';"],
    ['the operator imports the manifest', 'operator/src/fine.ts', "import { MODULE_MANIFEST } from '@np/modules';"],
    ['a spec imports a service', 'libs/testing/src/fine.spec.ts', "import { startGateway } from '@np/gateway';"],
  ])('pass when %s', async (_case, file, source) => {
    expect(await restrictedImports(file, source)).toEqual([]);
  });
});
