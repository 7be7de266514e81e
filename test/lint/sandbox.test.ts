/**
 * The lint rule that keeps workflow code inside the Temporal sandbox (eslint.config.mjs) rejects what it must and
 * accepts the rest. Small in-memory samples are linted as if they were files at the given paths.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, sep } from 'node:path';

const root = join(__dirname, '..', '..');
const RESTRICTED = ['@typescript-eslint/no-restricted-imports', 'no-restricted-globals'];

const rejected: Array<[path: string, code: string]> = [
  ['workflows/bad.ts', "import { readFileSync } from 'node:fs';"],
  ['workflows/bad.ts', "import { readFile } from 'fs/promises';"],
  ['workflows/bad.ts', "import { readFile } from 'node:fs/promises';"],
  ['workflows/bad.ts', "import { ReadableStream } from 'stream/web';"],
  ['workflows/bad.ts', "import { test } from 'node:test';"],
  ['workflows/bad.ts', "import { inspect } from 'util';"],
  ['workflows/bad.ts', "import knex from 'knex';"],
  ['workflows/bad.ts', "import { Client } from '@temporalio/client';"],
  ['workflows/bad.ts', "import { Context } from '@temporalio/activity/lib/context';"],
  ['workflows/bad.ts', "import { createActivities } from '../activities';"],
  ['workflows/bad.ts', "import { createDb } from '../db';"],
  ['workflows/bad.ts', "import { createDb } from '../db/connection';"],
  ['workflows/bad.ts', "import { createApp } from '../api';"],
  ['workflows/bad.ts', "import { startRun } from '../services/runs';"],
  ['workflows/bad.ts', "import { config } from '../common/config';"],
  ['workflows/bad.ts', "import { RetryPolicySchema } from '../common/definitions/schema';"],
  ['workflows/bad.ts', "import * as root from '..';"],
  ['workflows/steps/bad.ts', "import { createDb } from '../../db';"],
  ['workflows/steps/bad.ts', "import { createActivities } from '../../activities';"],
  ['workflows/steps/bad.ts', "import { createApp } from '../../api';"],
  ['workflows/steps/bad.ts', "import { logger } from '../../common/logger';"],
  ['workflows/steps/bad.ts', "import { RetryPolicySchema } from '../../common/definitions/schema';"],
  ['workflows/bad.ts', 'export const region = process.env.REGION;'],
];

const accepted: Array<[path: string, code: string]> = [
  [
    'workflows/good.ts',
    [
      "import { sleep } from '@temporalio/workflow';",
      "import jsonata from 'jsonata';",
      "import type { Knex } from 'knex';",
      "import type { EventActivities } from '../activities/events';",
      "import type { ActivityDeps } from '../activities';",
      "import type { RunDeps } from '../services/runs';",
      "import type { WorkflowDefinition } from '../common/definitions/types';",
      "import type { RetryPolicySchema } from '../common/definitions/schema';",
      "import { aosEventSignal } from './api';",
      "import { mirrorActivities } from './activities';",
      'export type Used = [Knex, EventActivities, ActivityDeps, RunDeps, WorkflowDefinition];',
      'export type Retry = typeof RetryPolicySchema;',
      'export async function ok(): Promise<unknown> {',
      '  await sleep(1);',
      '  return [jsonata, aosEventSignal, mirrorActivities];',
      '}',
    ].join('\n'),
  ],
  [
    // One folder down, '../activities' and '../api' are workflows/activities.ts and workflows/api.ts.
    'workflows/steps/good.ts',
    [
      "import { mirrorActivities } from '../activities';",
      "import { aosEventSignal } from '../api';",
      "import type { WorkflowDefinition } from '../../common/definitions/types';",
      'export type Used = WorkflowDefinition;',
      'export const used = [mirrorActivities, aosEventSignal];',
    ].join('\n'),
  ],
  ['activities/fine.ts', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;"],
];

let reports: string[][];

beforeAll(() => {
  const samples = [...rejected, ...accepted].map(([filePath, code]) => ({ filePath, code: `${code}\nexport {};\n` }));
  const result = spawnSync(process.execPath, [join(__dirname, 'lint-samples.mjs')], {
    cwd: root,
    input: JSON.stringify(samples),
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`lint-samples.mjs failed: ${result.stderr}`);
  reports = JSON.parse(result.stdout) as string[][];
}, 120_000);

describe('workflow sandbox lint rule', () => {
  it.each(rejected.map(([path, code], i) => [code, path, i] as const))('rejects %s in %s', (_code, _path, i) => {
    expect(reports[i].filter((rule) => RESTRICTED.includes(rule))).not.toEqual([]);
  });

  it.each(accepted.map(([path], i) => [path, rejected.length + i] as const))('accepts %s', (_path, i) => {
    expect(reports[i]).toEqual([]);
  });

  it('covers every workflow file (the config has one block per folder depth, down to workflows/*/*/*/)', () => {
    const files = readdirSync(join(root, 'workflows'), { recursive: true, encoding: 'utf8' });
    expect(files).toContain('interpreter.ts');
    expect(files.filter((f) => f.endsWith('.ts') && f.split(sep).length > 4)).toEqual([]);
  });
});
