// ESLint flat config. The `workflows/` block enforces the Temporal workflow sandbox: workflow code
// must be deterministic, so Node builtins, the database, HTTP clients, the logger and env access are banned there.
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['fs', 'path', 'os', 'http', 'https', 'net', 'tls', 'dns', 'crypto', 'child_process', 'worker_threads', 'cluster', 'stream', 'zlib', 'util', 'events', 'timers', 'process'];
const sandboxBanned = [
  ...NODE_BUILTINS.flatMap((m) => [m, `node:${m}`]),
  'pg', 'knex', 'pino', 'pino-pretty', 'express', 'ajv', 'ajv-formats', 'jose', 'undici', 'axios', 'node-fetch',
  '@temporalio/client', '@temporalio/worker', '@temporalio/activity',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.tools/**', '.data/**', 'coverage/**', 'test/replay/histories/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/**/*.test.ts'],
    rules: {
      // The typescript-eslint variant, because it lets `import type` through (types are erased at build time).
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: sandboxBanned.map((name) => ({ name, allowTypeImports: true, message: 'Not allowed in workflow code: the Temporal sandbox must stay deterministic. Use an activity.' })),
        patterns: [
          {
            group: ['**/db/**', '**/activities/**', '**/api/**', '**/workers/**', '**/services/**', '**/devstack/**', '**/scripts/**',
              '**/common/config', '**/common/logger', '**/common/ajv', '**/common/dev-secrets', '**/common/temporal-logging', '**/common/credentials-cipher'],
            allowTypeImports: true,
            message: 'Workflow code may only `import type` from outside the sandbox.',
          },
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'process', message: 'No env access in workflow code.' },
        { name: 'setInterval', message: 'Use sleep() from @temporalio/workflow.' },
        { name: 'fetch', message: 'No network in workflow code: use an activity.' },
      ],
    },
  },
);
