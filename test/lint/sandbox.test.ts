/** The lint rule that keeps workflow code inside the Temporal sandbox rejects what it must and accepts the rest. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/** The rule ids ESLint reports for `code` as if it were the file `filePath`. */
function lintAs(filePath: string, code: string): string[] {
  const eslint = join(root, 'node_modules', '.bin', 'eslint');
  const result = spawnSync(eslint, ['--stdin', '--stdin-filename', filePath, '--format', 'json'], { cwd: root, input: code, encoding: 'utf8' });
  const [report] = JSON.parse(result.stdout) as Array<{ messages: Array<{ ruleId: string | null; message: string }> }>;
  return report.messages.map((m) => m.ruleId ?? m.message);
}

describe('workflow sandbox lint rule', () => {
  it.each([
    ["import { readFileSync } from 'node:fs';", 'node:fs'],
    ["import knex from 'knex';", 'knex'],
    ["import { createDb } from '../db/connection';", 'db'],
    ["import { startRun } from '../services/runs';", 'services'],
    ["import { config } from '../common/config';", 'config'],
    ['export const region = process.env.REGION;', 'process'],
  ])('rejects %s in workflows/', (code) => {
    const rules = lintAs('workflows/bad.ts', `${code}\nexport {};\n`);
    expect(rules.some((r) => r === '@typescript-eslint/no-restricted-imports' || r === 'no-restricted-globals')).toBe(true);
  });

  it('accepts the Temporal workflow API, pure libraries and type-only imports', () => {
    const code = [
      "import { sleep } from '@temporalio/workflow';",
      "import jsonata from 'jsonata';",
      "import type { Knex } from 'knex';",
      "import type { RunDeps } from '../services/runs';",
      'export async function ok(k?: Knex, d?: RunDeps): Promise<unknown> { await sleep(1); return [jsonata, k, d]; }',
    ].join('\n');
    expect(lintAs('workflows/good.ts', code)).toEqual([]);
  });

  it('does not apply outside workflows/', () => {
    expect(lintAs('activities/fine.ts', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n")).toEqual([]);
  });
});
