// ESLint flat config. The `workflows/` blocks enforce the Temporal workflow sandbox: workflow code must be
// deterministic, so Node builtins, the database, HTTP clients, the logger and env access are banned there.
// Formatting is Prettier's job (`npm run lint` runs `prettier --check .` too): eslint-config-prettier comes last
// and switches off every stylistic rule that could disagree with it.
import { builtinModules } from 'node:module';
import eslintConfigPrettier from 'eslint-config-prettier/flat';
import tseslint from 'typescript-eslint';

/** Escapes a module name for use inside a regular expression. */
const escape = (name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * Modules banned in workflow code, matched by prefix as the SDK's bundler does (`moduleMatches` in
 * @temporalio/worker/lib/workflow/bundler.js: the name itself or `name/...`). Node's builtins come from
 * `builtinModules`, so `fs/promises`, `stream/web` and `node:fs/promises` are caught, and any `node:` import.
 * Stricter than the bundler: it lets `assert`, `url` and `util` through (webpack polyfills), this bans them too.
 */
const SANDBOX_BANNED_MODULES = [
  ...builtinModules,
  'pg',
  'knex',
  'pino',
  'pino-pretty',
  'express',
  'ajv',
  'ajv-formats',
  'jose',
  'undici',
  'axios',
  'node-fetch',
  // The SDK bundler's own list of non-workflow Temporal modules.
  '@temporalio/activity',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/testing',
  '@temporalio/core-bridge',
  '@temporalio/common/lib/internal-non-workflow',
];
const BANNED_MODULES_REGEX = `^(?:node:|(?:${SANDBOX_BANNED_MODULES.map(escape).join('|')})(?:/|$))`;

/** Top-level folders whose code runs outside the sandbox (a module inside one is banned, at any path). */
const OUTSIDE_FOLDERS = ['db', 'activities', 'api', 'workers', 'services', 'devstack', 'scripts', 'test', 'bench'];
/** Modules of `common/` that are not sandbox-safe (env, logger, Ajv, crypto, the TypeBox definition schema). */
const COMMON_OUTSIDE = [
  'config',
  'logger',
  'ajv',
  'dev-secrets',
  'temporal-logging',
  'credentials-cipher',
  'definitions/schema',
];

const TYPE_ONLY = 'Workflow code may only `import type` from outside the sandbox (types are erased at build time).';

/**
 * The sandbox rule for workflow files `depth` folders below `workflows/` (0: `workflows/x.ts`). A relative import
 * with more than `depth` leading `../` leaves `workflows/`; it may then only enter `common/`. That catches a
 * folder's index (`'../activities'`, `'../../db'`, `'..'`) without banning `workflows/activities.ts` or
 * `workflows/api.ts`, which `workflows/steps/*.ts` import as `'../activities'` and `'../api'`.
 */
function sandboxImports(depth) {
  const up = `(?:\\.\\.(?:/|$)){${depth + 1},}`;
  return [
    'error',
    {
      patterns: [
        {
          regex: BANNED_MODULES_REGEX,
          caseSensitive: true,
          allowTypeImports: true,
          message: 'Not allowed in workflow code: the Temporal sandbox must stay deterministic. Use an activity.',
        },
        { regex: `^${up}(?!common/.)`, caseSensitive: true, allowTypeImports: true, message: TYPE_ONLY },
        {
          group: [
            ...OUTSIDE_FOLDERS.map((folder) => `**/${folder}/**`),
            ...COMMON_OUTSIDE.map((name) => `**/common/${name}`),
          ],
          allowTypeImports: true,
          message: TYPE_ONLY,
        },
      ],
    },
  ];
}

/**
 * One block per depth (flat config replaces a rule's options per block, so each block carries the full set).
 * Deeper files get no rule at all: the sandbox test in test/lint fails if one appears.
 */
const WORKFLOW_DEPTHS = [0, 1, 2, 3];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'console/dist/**',
      '.tools/**',
      '.data/**',
      'coverage/**',
      'test/replay/histories/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Type-aware rules: the TypeScript project service reads tsconfig.json (which includes test/ and bench/);
    // the web console's sources (console/src, .ts and .tsx) get their own console/tsconfig.json (DOM, JSX).
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  ...WORKFLOW_DEPTHS.map((depth) => ({
    files: [`workflows/${'*/'.repeat(depth)}*.ts`],
    ignores: ['workflows/**/*.test.ts'],
    rules: {
      // The typescript-eslint variant, because it lets `import type` through.
      '@typescript-eslint/no-restricted-imports': sandboxImports(depth),
    },
  })),
  {
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/**/*.test.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'No env access in workflow code.' },
        { name: 'setInterval', message: 'Use sleep() from @temporalio/workflow.' },
        { name: 'fetch', message: 'No network in workflow code: use an activity.' },
      ],
    },
  },
  {
    // Layering: application logic (services/) and data access (db/) never reach up into the adapters that call
    // them (activities, API routes, worker bootstraps); db/ does not call services either.
    files: ['services/**/*.ts', 'db/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?:\\.\\./)+(?:activities|api|workers)(?:/|$)',
              message: 'services/ and db/ must not depend on activities/, api/ or workers/: move the shared code down.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['db/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?:\\.\\./)+(?:activities|api|workers|services)(?:/|$)',
              message: 'db/ is the bottom layer: it must not depend on services/, activities/, api/ or workers/.',
            },
          ],
        },
      ],
    },
  },
  {
    // Routes map HTTP to application services; data access goes through services/, never straight to db/.
    files: ['api/routes/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?:\\.\\./)+db(?:/|$)',
              message: 'api/routes/ must not import db/: call a service in services/ (which calls the repositories).',
            },
          ],
        },
      ],
    },
  },
  eslintConfigPrettier,
);
