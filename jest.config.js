// One Jest configuration for the whole repository, in native ESM mode (the platform's
// dependencies are ESM). Sources are compiled on the fly by SWC with decorator metadata, so
// tests run against `src/` without a build. Projects: `unit` (no servers, fakes allowed) and
// `integration` (real PostgreSQL, RabbitMQ and the other servers of tools/servers-up.sh) and `e2e` (the built platform over HTTP, in the
// shape named by NP_E2E_SHAPE; see tools/test-all.sh) and `cluster` (the operator against a real
// Kubernetes control plane started by tools/cluster-up.sh) and `images` (the images of
// `npm run images` run by runc against the real servers) and `node` (the cluster shape on the real node
// of tools/cluster-up.sh: pods from the images, traffic through the ingress) and `delivery` (compose.yaml and the other delivery files
// checked by their own parsers and schemas).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every service package and its public contract, mapped to its sources: `@np/users` and
 * `@np/users/contracts`, found from services/<dir>/package.json so a new module needs no line here.
 */
const SERVICE_PACKAGES = Object.fromEntries(
  readdirSync(join(import.meta.dirname, 'services'))
    .filter((dir) => existsSync(join(import.meta.dirname, 'services', dir, 'package.json')))
    .flatMap((dir) => {
      const name = JSON.parse(readFileSync(join(import.meta.dirname, 'services', dir, 'package.json'), 'utf8')).name.replace('/', '\\/');
      return [
        [`^${name}/contracts$`, `<rootDir>/services/${dir}/src/contracts/index.ts`],
        [`^${name}$`, `<rootDir>/services/${dir}/src/index.ts`],
      ];
    }),
);

const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2024',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

const common = {
  transform: { '^.+\\.ts$': swc },
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    ...SERVICE_PACKAGES,
    '^@np/operator$': '<rootDir>/operator/src/index.ts',
    '^@np/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
  // Servers' state (etcd keeps `.snap` files Jest would take for snapshots) and data folders.
  modulePathIgnorePatterns: ['<rootDir>/.local/', '<rootDir>/.data/'],
};

/** @type {import('jest').Config} */
export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{libs,services}/*/src/**/*.spec.ts', '<rootDir>/operator/src/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      // The operator's provisioners need the servers only, not a control plane.
      testMatch: ['<rootDir>/{libs,services}/*/test/**/*.spec.ts', '<rootDir>/operator/test/infrastructure/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.spec.ts', '<rootDir>/test/e2e/**/*.e2e-spec.ts'],
    },
    {
      ...common,
      displayName: 'cluster',
      testMatch: ['<rootDir>/operator/test/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'images',
      testMatch: ['<rootDir>/test/images/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'node',
      testMatch: ['<rootDir>/test/node/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'delivery',
      testMatch: ['<rootDir>/test/delivery/**/*.spec.ts'],
    },
  ],
  // Jest reads the timeout from the top level only; unit tests finish far below it.
  testTimeout: 60000,
  collectCoverageFrom: ['{libs,services}/*/src/**/*.ts', 'operator/src/**/*.ts', '!**/*.spec.ts', '!**/main.ts', '!**/index.ts'],
  coverageThreshold: {
    global: { lines: 70, statements: 70, functions: 65, branches: 55 },
  },
  coverageReporters: ['text-summary', 'lcov'],
};
