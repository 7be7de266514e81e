import type { Config } from 'jest';

const transform: Config['transform'] = {
  // tsconfig's isolatedModules makes ts-jest transpile only: type-checking is `npm run typecheck`'s job.
  '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
};
const common = {
  testEnvironment: 'node',
  transform,
  moduleFileExtensions: ['ts', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.tools/', '/.data/'],
};

/**
 * Unit tests: `*.test.ts`, no servers. Integration tests: `*.int.test.ts`, real Temporal and PostgreSQL.
 * Cluster tests: `test/cluster/*.cluster.test.ts`, a Temporal cluster with several API and worker processes.
 */
const config: Config = {
  // On a 2-core machine jest's default (cores - 1) would run every file inside the main process, where
  // Temporal's native runtime and leftover handles outlive the run; workers isolate files and are reaped.
  maxWorkers: 2,
  // A global option: jest ignores testTimeout inside a project. Integration tests talk to real servers.
  testTimeout: 60_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/**/*.test.ts'],
      testPathIgnorePatterns: [...common.testPathIgnorePatterns, '\\.int\\.test\\.ts$', '\\.cluster\\.test\\.ts$'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/**/*.int.test.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/per-file-database.ts'],
    },
    {
      // The cluster tier (test/cluster/): starts its own Temporal cluster, API and worker processes per file.
      ...common,
      displayName: 'cluster',
      testMatch: ['<rootDir>/test/cluster/**/*.cluster.test.ts'],
      globalSetup: '<rootDir>/test/cluster/global-setup.ts',
    },
  ],
};

export default config;
