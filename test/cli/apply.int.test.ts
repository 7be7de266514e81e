/**
 * `aos apply` and `aos validate` as a user runs them: the CLI in a child process (bin/aos.js) against the real API
 * on a port, over a directory of YAML and JSON definitions.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_DEFINITIONS } from '../../db/repositories/event-definitions';
import { TASK_DEFINITIONS } from '../../db/repositories/task-definitions';
import { WORKFLOW_DEFINITIONS } from '../../db/repositories/workflow-definitions';
import { WORKFLOW_EVENT_TRIGGERS } from '../../db/repositories/workflow-event-triggers';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller } from '../helpers/auth';

const BIN = join(__dirname, '..', '..', 'bin', 'aos.js');
const TABLES = [TASK_DEFINITIONS, EVENT_DEFINITIONS, WORKFLOW_DEFINITIONS, WORKFLOW_EVENT_TRIGGERS];

let api: TestApi;
let server: Server;
let env: NodeJS.ProcessEnv;

/** Runs the CLI (asynchronously: the API answers from this process). */
function aos(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Row count and latest updated_at of each table the definitions land in. */
async function snapshot(): Promise<unknown[]> {
  return Promise.all(
    TABLES.map((t) => api.deps.db(t).first(api.deps.db.raw('count(*)::int AS rows, max(updated_at) AS updated'))),
  );
}

function definitionsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aos-apply-'));
  writeFileSync(
    join(dir, 'task.yaml'),
    ['task_id: cli-echo', 'version: 1.0.0', 'name: Echo', 'type: echo', 'config: {}', 'status: active', ''].join('\n'),
  );
  writeFileSync(
    join(dir, 'event.json'),
    JSON.stringify({
      event_id: 'cli-order-created',
      name: 'Order created',
      version: '1.0.0',
      pattern: 'cli.order.created',
      payload_schema: { type: 'object', properties: { id: { type: 'string' } } },
      status: 'active',
    }),
  );
  writeFileSync(
    join(dir, 'workflow.yaml'),
    [
      '$schema: http://localhost/api/v1/schemas/workflow-definition.json',
      'workflow_id: cli-flow',
      'name: CLI flow',
      'version: 1.0.0',
      'status: active',
      'steps:',
      '  - { id: call, type: task, task: cli-echo }',
      '  - { id: done, type: succeed }',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'trigger.json'),
    JSON.stringify({
      triggerId: 'cli-on-order',
      workflowDefinitionId: 'cli-flow',
      eventPattern: 'cli.order.created',
      triggerType: 'START',
      inputMapping: { order: '{% $event.payload %}' },
    }),
  );
  return dir;
}

beforeAll(async () => {
  api = await createTestApi();
  server = api.app.listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  const caller = await createTestCaller(api.deps, ['*'], 'aos');
  const { port } = server.address() as AddressInfo;
  env = { ...process.env, AOS_URL: `http://127.0.0.1:${port}`, AOS_API_KEY: caller.apiKey };
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await api.close();
});

describe('aos apply', () => {
  const dir = definitionsDir();

  it('with --dry-run prints the plan (all create) and writes nothing', async () => {
    const before = await snapshot();
    const run = await aos('apply', dir, '--dry-run');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/create\s+task cli-echo@1\.0\.0: then activate/);
    expect(run.stdout).toMatch(/create\s+trigger cli-on-order/);
    expect(run.stdout).toContain('4 to create, 0 to update, 0 unchanged, 0 in conflict');
    expect(await snapshot()).toEqual(before);
  });

  it('creates task, event, workflow (activated) and trigger in dependency order', async () => {
    const run = await aos('apply', dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const created = run.stdout.split('\n').filter((l) => l.includes('created '));
    expect(created.map((l) => l.trim())).toEqual([
      'created task cli-echo@1.0.0',
      'created event cli-order-created@1.0.0',
      'created workflow cli-flow@1.0.0',
      'created trigger cli-on-order',
    ]);
    const db = api.deps.db;
    expect(await db(WORKFLOW_DEFINITIONS).where({ workflow_id: 'cli-flow' }).first('status')).toEqual({
      status: 'active',
    });
    expect(await db(TASK_DEFINITIONS).where({ task_id: 'cli-echo' }).first('status')).toEqual({ status: 'active' });
    expect(await db(EVENT_DEFINITIONS).where({ event_id: 'cli-order-created' }).first('status')).toEqual({
      status: 'active',
    });
    const trigger = await db(WORKFLOW_EVENT_TRIGGERS).where({ trigger_id: 'cli-on-order' }).first();
    expect(trigger.input_mapping).toEqual({ order: '{% $event.payload %}' });
  });

  it('a second time plans everything unchanged and changes nothing', async () => {
    const before = await snapshot();
    const run = await aos('apply', dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('0 to create, 0 to update, 4 unchanged, 0 in conflict');
    expect(run.stdout).toContain('Nothing to change.');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses to change an active version: a conflict, and nothing written', async () => {
    const changed = mkdtempSync(join(tmpdir(), 'aos-conflict-'));
    writeFileSync(
      join(changed, 'task.yaml'),
      ['task_id: cli-echo', 'version: 1.0.0', 'name: Echo renamed', 'type: echo', 'config: {}', ''].join('\n'),
    );
    const before = await snapshot();
    const run = await aos('apply', changed);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/conflict\s+task cli-echo@1\.0\.0: version 1\.0\.0 is active with different content/);
    expect(run.stderr).toContain('Nothing applied');
    expect(await snapshot()).toEqual(before);
  });

  it('updates a trigger whose fields changed', async () => {
    const changed = mkdtempSync(join(tmpdir(), 'aos-trigger-'));
    writeFileSync(
      join(changed, 'trigger.yaml'),
      [
        'triggerId: cli-on-order',
        'workflowDefinitionId: cli-flow',
        'eventPattern: cli.order.created',
        'triggerType: START',
        'enabled: false',
        '',
      ].join('\n'),
    );
    const run = await aos('apply', changed);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/update\s+trigger cli-on-order: fields differ/);
    const row = await api.deps.db(WORKFLOW_EVENT_TRIGGERS).where({ trigger_id: 'cli-on-order' }).first();
    expect([row.enabled, row.input_mapping]).toEqual([false, null]);
    expect((await aos('apply', changed)).stdout).toContain('1 unchanged');
  });

  it('reports a write the platform refuses with the file and the field pointer, and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aos-refused-'));
    const file = join(dir, 'trigger.yaml');
    const lines = [
      'triggerId: cli-orphan',
      'workflowDefinitionId: no-such-flow',
      'eventPattern: a.b',
      'triggerType: START',
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const run = await aos('apply', dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}: /workflowDefinitionId no such workflow definition`);
    expect(await api.deps.db(WORKFLOW_EVENT_TRIGGERS).where({ trigger_id: 'cli-orphan' }).first()).toBeUndefined();
  });
});

describe('aos validate', () => {
  it('exits 1 and prints file: /pointer message for an invalid definition', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aos-invalid-'));
    const file = join(dir, 'flow.yaml');
    writeFileSync(
      file,
      [
        'workflow_id: cli-bad',
        'name: Bad',
        'version: 1.0.0',
        'steps:',
        '  - { id: a, type: task, task: no-such-task }',
        '',
      ].join('\n'),
    );
    const offline = await aos('validate', file, '--url', '');
    expect(offline.code).toBe(0);
    const online = await aos('validate', dir);
    expect(online.code).toBe(1);
    expect(online.stderr).toContain(`${file}: /steps/0/task task "no-such-task" does not exist`);
  });

  it('accepts a task reference to a task defined in the same files', async () => {
    const run = await aos('validate', definitionsDir());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('4 definition(s) valid');
  });
});
