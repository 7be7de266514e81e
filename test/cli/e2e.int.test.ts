/**
 * The aos CLI end to end against the real platform (#14): the CLI in a child process (bin/aos.js) against the
 * real API on a port, with the orchestrator worker and the test runner worker on the real Temporal dev server and
 * PostgreSQL. A directory of YAML and JSON files (with `$schema` lines) holds a task, a workflow and a test
 * definition with a passing and a failing case: `aos apply` creates them, a second apply changes nothing,
 * `aos test --junit` exits 1 and the report lists both cases with the failure's pointer, expected and actual;
 * once the file's expectation is fixed (a new version: the active one is immutable) and applied, `aos test` exits 0.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TASK_DEFINITIONS } from '../../db/repositories/task-definitions';
import { WORKFLOW_DEFINITIONS } from '../../db/repositories/workflow-definitions';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller } from '../helpers/auth';
import { startRunHarness, type RunHarness } from '../engine-runs/harness';
import { seed } from '../../db/seeds';

jest.setTimeout(180_000);

const BIN = join(__dirname, '..', '..', 'bin', 'aos.js');
const TEST_DEFINITIONS = 'testing_framework_service.test_definitions';
const TABLES = [TASK_DEFINITIONS, WORKFLOW_DEFINITIONS, TEST_DEFINITIONS];
const SCHEMA = 'http://localhost:3000/api/v1/schemas';

let h: RunHarness;
let api: TestApi;
let server: Server;
let env: NodeJS.ProcessEnv;
let ci: string;
const dir = mkdtempSync(join(tmpdir(), 'aos-e2e-'));

/** Runs the CLI (asynchronously: the API answers from this process). */
function aos(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Row count and latest updated_at of each table the files land in. */
async function snapshot(): Promise<unknown[]> {
  return Promise.all(
    TABLES.map((t) => api.deps.db(t).first(api.deps.db.raw('count(*)::int AS rows, max(updated_at) AS updated'))),
  );
}

/** The test definition file: `big` expects `expectedBigTotal` while the mock answers 500. */
function writeTests(version: string, expectedBigTotal: number, draft?: { testId: string; file: string }): void {
  const doc = {
    $schema: `${SCHEMA}/test-definition.json`,
    test_id: draft?.testId ?? 'e2e-quote-tests',
    version,
    name: 'Quote flow',
    ...(!draft && { status: 'active' }),
    target_type: 'workflow',
    target_id: 'e2e-quote',
    settings: { case_timeout: '30s' },
    test_cases: [
      {
        case_id: 'small',
        name: 'A small quote',
        input: { items: [{ price: 10, quantity: 1 }] },
        mocks: [{ step: 'price', output: { total: 10 } }],
        expect: { output: { size: 'small', total: 10 }, path: ['price', 'route', 'small'] },
      },
      {
        case_id: 'big',
        name: 'A big quote',
        input: { items: [{ price: 250, quantity: 2 }] },
        mocks: [{ step: 'price', output: { total: 500 } }],
        expect: { output: { size: 'big', total: expectedBigTotal }, path: ['price', 'route', 'big'] },
      },
    ],
  };
  writeFileSync(join(dir, draft?.file ?? 'tests.json'), `${JSON.stringify(doc, null, 2)}\n`);
}

beforeAll(async () => {
  h = await startRunHarness({ testRunner: true });
  api = await createTestApi({ config: { TASK_QUEUE: h.config.taskQueue } });
  server = api.app.listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  // The permissions docs/testing.md names for applying these kinds and running their tests, and no others.
  const caller = await createTestCaller(
    api.deps,
    [
      'task_definitions:read',
      'task_definitions:write',
      'workflow_definitions:read',
      'workflow_definitions:write',
      'tests:read',
      'tests:write',
    ],
    'ci',
  );
  ci = caller.username;
  const { port } = server.address() as AddressInfo;
  env = { ...process.env, AOS_URL: `http://127.0.0.1:${port}`, AOS_API_KEY: caller.apiKey };
  writeFileSync(
    join(dir, 'task.yaml'),
    [
      `$schema: ${SCHEMA}/task-definition.json`,
      'task_id: e2e-price',
      'version: 1.0.0',
      'name: Price a quote',
      'type: transform',
      'config:',
      '  expression: \'{ "total": $sum(items.(price * quantity)) }\'',
      'status: active',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'workflow.yaml'),
    [
      `$schema: ${SCHEMA}/workflow-definition.json`,
      'workflow_id: e2e-quote',
      'name: Quote',
      'version: 1.0.0',
      'status: active',
      'steps:',
      "  - { id: price, type: task, task: e2e-price, input: { items: '{% $input.items %}' } }",
      '  - id: route',
      '    type: switch',
      "    cases: [{ when: '{% $steps.price.output.total > 100 %}', next: big }]",
      '    default: small',
      "  - { id: big, type: succeed, output: { size: big, total: '{% $steps.price.output.total %}' } }",
      "  - { id: small, type: succeed, output: { size: small, total: '{% $steps.price.output.total %}' } }",
      '',
    ].join('\n'),
  );
  writeTests('1.0.0', 400);
});

afterAll(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
  await api?.close();
  await h?.close();
});

describe('aos against the real platform', () => {
  it('apply creates the task, the workflow and the test definition, active', async () => {
    const run = await aos('apply', dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const created = run.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('created '));
    expect(created).toEqual([
      'created task e2e-price@1.0.0',
      'created workflow e2e-quote@1.0.0',
      'created test e2e-quote-tests@1.0.0',
    ]);
    const db = api.deps.db;
    expect(await db(TASK_DEFINITIONS).where({ task_id: 'e2e-price' }).pluck('status')).toEqual(['active']);
    expect(await db(WORKFLOW_DEFINITIONS).where({ workflow_id: 'e2e-quote' }).pluck('status')).toEqual(['active']);
    const test = await db(TEST_DEFINITIONS).where({ test_id: 'e2e-quote-tests' }).first();
    expect(test).toMatchObject({ version: '1.0.0', status: 'active', target_id: 'e2e-quote', created_by: ci });
    expect(test.test_cases.map((c: { case_id: string }) => c.case_id)).toEqual(['small', 'big']);
  });

  it('a second apply prints only unchanged lines and changes nothing', async () => {
    const before = await snapshot();
    const run = await aos('apply', dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const planLines = run.stdout.split('\n').filter((l) => /^\s+(create|update|unchanged|conflict)\s/.test(l));
    expect(planLines).toHaveLength(3);
    for (const line of planLines) expect(line.trim()).toMatch(/^unchanged\s/);
    expect(run.stdout).toContain('0 to create, 0 to update, 3 unchanged, 0 in conflict');
    expect(run.stdout).not.toMatch(/^\s*(created|updated) /m);
    expect(run.stdout).toContain('Nothing to change.');
    expect(await snapshot()).toEqual(before);
  });

  it('test exits 1 on the failing case; the JUnit file lists it with pointer, expected and actual, and the passing one', async () => {
    const junit = join(dir, 'out.xml');
    const run = await aos('test', dir, '--junit', junit, '--interval', '0.2');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✓ e2e-quote-tests › A small quote');
    expect(run.stdout).toContain('✗ e2e-quote-tests › A big quote');
    expect(run.stdout).toContain('/output/total: ');
    expect(run.stdout).toMatch(/\(expected 400, actual 500\)/);
    expect(run.stdout).toMatch(/test run \S+ failed: 1 passed, 1 failed, 0 errored, 0 skipped of 2/);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="e2e-quote-tests" tests="2" failures="1" errors="0" skipped="0"/);
    expect(xml).toMatch(/<testcase name="A small quote" classname="e2e-quote-tests" time="[\d.]+">/);
    const big = xml.slice(xml.indexOf('<testcase name="A big quote"'));
    expect(big).toMatch(/^<testcase name="A big quote" classname="e2e-quote-tests"[^>]*>\s*<failure /);
    expect(big).toMatch(/<failure message="\/output\/total: [^"]*\(expected 400, actual 500\)"/);
    // The passing case has no failure element.
    const small = xml.slice(xml.indexOf('<testcase name="A small quote"'), xml.indexOf('<testcase name="A big quote"'));
    expect(small).not.toContain('<failure');
  });

  it('after the expectation is fixed (a new version: 1.0.0 is active) and applied, test exits 0', async () => {
    writeTests('1.0.0', 500);
    const refused = await aos('apply', dir);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/conflict\s+test e2e-quote-tests@1\.0\.0: version 1\.0\.0 is active/);
    const stale = await aos('test', dir);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('run aos apply first');

    writeTests('1.0.1', 500);
    const applied = await aos('apply', dir);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('created test e2e-quote-tests@1.0.1');
    expect(applied.stdout).toContain('1 to create, 0 to update, 2 unchanged, 0 in conflict');
    const junit = join(dir, 'fixed.xml');
    const run = await aos('test', dir, '--junit', junit, '--interval', '0.2');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/test run \S+ passed: 2 passed, 0 failed, 0 errored, 0 skipped of 2/);
    expect(run.stdout).toContain('coverage of e2e-quote@1.0.0 branches: 100% (2/2)');
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="e2e-quote-tests" tests="2" failures="0"/);
    expect(xml).not.toContain('<failure');
  });

  it('a draft test definition (no status in the file) is updated in place by apply, then passes', async () => {
    const draft = { testId: 'e2e-quote-draft-tests', file: 'draft-tests.json' };
    writeTests('1.0.0', 400, draft);
    expect((await aos('apply', dir)).code).toBe(0);
    const db = api.deps.db;
    const row = await db(TEST_DEFINITIONS).where({ test_id: draft.testId }).first();
    expect(row.status).toBe('draft');
    expect((await aos('test', dir, '--interval', '0.2')).code).toBe(1);

    writeTests('1.0.0', 500, draft);
    const applied = await aos('apply', dir);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/update\s+test e2e-quote-draft-tests@1\.0\.0: draft content differs/);
    const updated = await db(TEST_DEFINITIONS).where({ test_id: draft.testId });
    expect(updated.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([[row.id, 'draft']]);
    expect(updated[0].test_cases[1].expect.output.total).toBe(500);
    const run = await aos('test', dir, '--interval', '0.2');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect((await aos('apply', dir)).stdout).toContain('0 to create, 0 to update, 4 unchanged, 0 in conflict');
  });

  it("runs the seeded examples' tests by tag (aos test --tag example) and they pass", async () => {
    await seed(h.db);
    const run = await aos('test', '--tag', 'example', '--interval', '0.2');
    expect(run.stderr).toBe('');
    // The report in the failure message names the failing case (an `expect.any` report would hide it).
    if (run.code !== 0) throw new Error(`aos test --tag example exited ${run.code}; its report:\n${run.stdout}`);
    expect(run.stdout).toMatch(/test run \S+ passed: 10 passed, 0 failed, 0 errored, 0 skipped of 10/);
  });
});
