// Type-aware lint as errors, zero warnings. Source files are checked against their package's
// tsconfig; specs get the same rules without type information.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/consistent-type-imports': 'off', // Nest needs value imports for DI metadata
      'no-restricted-imports': ['error', { patterns: [{ group: ['../../*'], message: 'Use a path alias (@np/...) instead of deep relative imports.' }] }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    extends: [...tseslint.configs.recommended],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
