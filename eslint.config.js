// Type-aware lint as errors, zero warnings. Source files are checked against their package's
// tsconfig; specs get the same rules without type information.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const DEEP_RELATIVE = { group: ['../../*'], message: 'Use a path alias (@np/...) instead of deep relative imports.' };

/** The applications: every service and the operator, with the package name others would import them by. */
const APPS = [...readdirSync(join(import.meta.dirname, 'services')).map((dir) => `services/${dir}`), 'operator'].map((dir) => ({
  dir,
  name: JSON.parse(readFileSync(join(import.meta.dirname, dir, 'package.json'), 'utf8')).name,
}));
/** The launcher that runs every module in one process: the one application allowed to import services. */
const LAUNCHERS = ['services/embedded'];

/**
 * Forbids importing `apps`, except a module's public contract (`<package>/contracts`: its patterns,
 * events and routes), which is what the modules and the gateway share.
 */
function forbid(apps, who) {
  return {
    'no-restricted-imports': [
      'error',
      { patterns: [DEEP_RELATIVE, ...(apps.length ? [{ regex: applicationCode(apps), message: `${who}: shared code belongs in libs/, shared contracts in <module>/contracts.` }] : [])] },
    ],
  };
}

/** Matches an application's package or any path in it but its `/contracts`. */
function applicationCode(apps) {
  const names = apps.map((app) => app.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  return `^(${names})(/(?!contracts$).*)?$`;
}

/** A module's contracts are imported by others: they may import libraries and other contracts, never a service's code. */
const CONTRACTS_STAY_PURE = {
  files: ['services/*/src/contracts/**/*.ts'],
  ignores: ['**/*.spec.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          DEEP_RELATIVE,
          { group: ['../*', '!../contracts/*'], message: 'A module\'s contracts must not import its service: others import them.' },
          { regex: applicationCode(APPS), message: 'Contracts import libraries and other contracts only.' },
        ],
      },
    ],
  },
};

/**
 * Module boundaries: a library imports no application, a service no other service (the modules
 * talk over the bus), the operator no service. Tests are free to (the e2e suite drives them all).
 * @type {import('eslint').Linter.Config[]}
 */
export const boundaries = [
  {
    files: ['libs/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: forbid(APPS, 'A library must not import a service or the operator'),
  },
  ...APPS.map((app) => ({
    files: [`${app.dir}/src/**/*.ts`],
    ignores: ['**/*.spec.ts'],
    rules: forbid(
      APPS.filter((other) => other !== app && !(LAUNCHERS.includes(app.dir) && other.dir.startsWith('services/'))),
      `${app.dir} must not import another application`,
    ),
  })),
  CONTRACTS_STAY_PURE,
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', '.local/**', '.data/**', 'bench/**', 'tools/**'] },
  js.configs.recommended,
  {
    files: ['{libs,services}/*/src/**/*.ts', 'operator/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-extraneous-class': 'off', // NestJS modules are decorated empty classes
      // `interface MessageContracts extends UsersMessages {}`: how a module adds its patterns to the shared registry.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/consistent-type-imports': 'off', // Nest needs value imports for DI metadata
      'no-restricted-imports': ['error', { patterns: [DEEP_RELATIVE] }],
    },
  },
  ...boundaries,
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    extends: [...tseslint.configs.recommended],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
