/**
 * Issue #17 item 5, data lifecycle: closed runs, delivered queue rows and closed dead letters past their retention
 * are deleted in bounded batches (runs with their dependents) while open, undelivered and recent ones stay; with an
 * archive, what goes is first written to gzip'd JSON-lines files whose rows equal what was deleted (and reload with
 * the documented recipe), a failing archive deletes nothing; a dry run changes nothing; partitions ahead are
 * created; the worker's schedule runs maintenance at start and then on its interval.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Knex } from 'knex';
import pino from 'pino';
import { ensureTablePartitions, partitionedTable } from '../../db/partitions';
import { fileArchive } from '../../services/maintenance/archive';
import { runPartitionMaintenance, type MaintenanceOptions } from '../../services/maintenance/partition-maintenance';
import { partitionMaintenanceRuns, retentionRowsDeleted } from '../../services/observability/metrics';
import { startPartitionMaintenanceLoop } from '../../workers/partition-maintenance-loop';
import { createTestDb } from '../helpers/db';
import { TEST_ENV } from '../harness-state';

jest.setTimeout(60_000);

const logger = pino({ level: 'silent' });
const DAY = 86_400_000;
const WF = 'workflow_orchestrator_service';
const EV = 'event_processing_service';
const RUNS = `${WF}.workflow_instances`;
const QUEUE = `${EV}.event_queue_state`;
const LETTERS = `${EV}.dead_letter_queue`;
const TASKS = 'task_execution_service.task_instances';
const HUMAN = 'task_execution_service.human_task_events';
const ACTIONS = `${WF}.workflow_control_actions`;
const WAITS = `${WF}.workflow_event_subscriptions`;
const EVENTS = partitionedTable('event_processing_service.event_instances');
const LOGS = partitionedTable('observability_service.observability_logs');

let db: Knex;
let definitionId: string;
const ago = (days: number) => new Date(Date.now() - days * DAY);

/** Row retention only (no partitioned table), 30 days for each table named. */
const rowsOnly = (tables: string[], extra: MaintenanceOptions = {}) =>
  runPartitionMaintenance({ db, logger }, {}, [], {
    rowRetention: Object.fromEntries(tables.map((t) => [t, 30])),
    ...extra,
  });

async function run(status: string, closedDaysAgo: number | null, more: Record<string, unknown> = {}): Promise<string> {
  const [row] = await db(RUNS)
    .insert({
      temporal_workflow_id: `lc-${randomUUID()}`,
      workflow_definition_id: definitionId,
      definition_workflow_id: 'lifecycle',
      definition_version: '1.0.0',
      status,
      completed_at: closedDaysAgo === null ? null : ago(closedDaysAgo),
      created_at: ago(100),
      ...more,
    })
    .returning('id');
  return row.id as string;
}

/** A task row, a human-task history row, a control action and a wait of `runId`. */
async function dependents(runId: string): Promise<void> {
  const [task] = await db(TASKS)
    .insert({ workflow_instance_id: runId, step_id: 's', execution_key: randomUUID(), status: 'completed' })
    .returning('id');
  await db(HUMAN).insert({ task_instance_id: task.id, workflow_instance_id: runId, kind: 'created', actor: 'system' });
  await db(ACTIONS).insert({ workflow_instance_id: runId, action: 'cancel', principal: 'alice' });
  const wid = (await db(RUNS).where({ id: runId }).first()).temporal_workflow_id;
  await db(WAITS).insert({
    subscription_key: randomUUID(),
    workflow_instance_id: runId,
    temporal_workflow_id: wid,
    step_id: 'wait',
    event_pattern: 'x.y',
    status: 'matched',
  });
}

const count = async (table: string, column: string, id: string) =>
  Number((await db(table).where(column, id).count({ n: '*' }))[0].n);

/** An event (its key) with a queue row per consumer. */
async function event(createdAt = new Date()): Promise<{ id: string; eventId: string }> {
  const id = randomUUID();
  const eventId = `lc-${id}`;
  await db(`${EV}.event_instance_keys`).insert({ id, event_id: eventId, event_created_at: createdAt });
  await db(EVENTS.table).insert({ id, event_id: eventId, pattern: 'lifecycle.test', created_at: createdAt });
  return { id, eventId };
}

async function queueRow(
  e: { id: string; eventId: string },
  consumer: string,
  status: string,
  deliveredDaysAgo: number | null,
): Promise<string> {
  const at = deliveredDaysAgo === null ? null : ago(deliveredDaysAgo);
  const [row] = await db(QUEUE)
    .insert({
      event_instance_id: e.id,
      event_id: e.eventId,
      consumer,
      status,
      delivered_at: at,
      updated_at: at ?? new Date(),
    })
    .returning('id');
  return row.id as string;
}

async function letter(status: string, closedDaysAgo: number): Promise<string> {
  const at = ago(closedDaysAgo);
  const [row] = await db(LETTERS)
    .insert({
      event_id: `lc-${randomUUID()}`,
      error: { message: 'x' },
      status,
      discarded_at: status === 'discarded' ? at : null,
      redriven_at: status === 'redriven' ? at : null,
      updated_at: at,
    })
    .returning('id');
  return row.id as string;
}

/** The rows of every `.jsonl.gz` file in `dir` whose name starts with `table.`, by file name. */
async function archived(dir: string, table: string): Promise<Record<string, unknown>[]> {
  const files = (await readdir(dir)).filter((f) => f.startsWith(`${table}.`) && f.endsWith('.jsonl.gz')).sort();
  const rows: Record<string, unknown>[] = [];
  for (const f of files) {
    const text = gunzipSync(await readFile(join(dir, f))).toString('utf8');
    for (const line of text.split('\n').filter(Boolean)) rows.push(JSON.parse(line));
  }
  return rows;
}

/** What JSON makes of rows as the database returned them. */
const asJson = (rows: unknown[]) => JSON.parse(JSON.stringify(rows)) as Record<string, unknown>[];
const byId = (rows: Record<string, unknown>[]) => [...rows].sort((a, b) => String(a.id).localeCompare(String(b.id)));

beforeAll(async () => {
  db = createTestDb();
  const [def] = await db(`${WF}.workflow_definitions`)
    .insert({ workflow_id: `lc-${randomUUID()}`, version: '1.0.0', name: 'Lifecycle', definition: '{}' })
    .returning('*');
  definitionId = def.id;
});
afterAll(() => db?.destroy());

describe('closed runs', () => {
  it('past the retention are deleted with their task rows, history, control actions and waits; open, recent and still-referenced runs stay', async () => {
    const old = await run('completed', 40);
    await dependents(old);
    const oldFailed = await run('failed', 31);
    const recent = await run('completed', 5);
    await dependents(recent);
    const open = await run('running', null);
    const waitingParent = await run('completed', 40);
    const recentChild = await run('completed', 5, { parent_instance_id: waitingParent });
    const oldParent = await run('cancelled', 40);
    const oldChild = await run('terminated', 40, { parent_instance_id: oldParent });
    const redrivenFrom = await run('failed', 40);
    const redrive = await run('queued', null, { origin_instance_id: redrivenFrom });
    const deletedBefore = (await retentionRowsDeleted.get()).values.find((v) => v.labels.table === RUNS)?.value ?? 0;

    // Batches of 2: the child goes in an earlier batch than its parent, and every batch is bounded.
    const report = await rowsOnly([RUNS], { batchSize: 2 });

    expect(report?.failed).toEqual([]);
    expect(report?.deleted[RUNS]).toBe(4); // old, oldFailed, oldChild, then oldParent
    const left = await db(RUNS).whereIn('id', [old, oldFailed, oldParent, oldChild]).pluck('id');
    expect(left).toEqual([]);
    const stay = [recent, open, waitingParent, recentChild, redrivenFrom, redrive];
    expect((await db(RUNS).whereIn('id', stay).pluck('id')).sort()).toEqual([...stay].sort());
    for (const [table, column] of [
      [TASKS, 'workflow_instance_id'],
      [HUMAN, 'workflow_instance_id'],
      [ACTIONS, 'workflow_instance_id'],
      [WAITS, 'workflow_instance_id'],
    ] as const) {
      expect(await count(table, column, old)).toBe(0);
      expect(await count(table, column, recent)).toBe(1);
    }
    const deletedAfter = (await retentionRowsDeleted.get()).values.find((v) => v.labels.table === RUNS)?.value;
    expect(deletedAfter).toBe(deletedBefore + 4);
  });

  it('a run holds at most maxBatches x batchSize deletions; the next run continues', async () => {
    const ids = await Promise.all([1, 2, 3].map(() => run('completed', 60)));
    const first = await rowsOnly([RUNS], { batchSize: 1, maxBatches: 2 });
    expect(first?.deleted[RUNS]).toBe(2);
    expect(await db(RUNS).whereIn('id', ids).pluck('id')).toHaveLength(1);
    const second = await rowsOnly([RUNS], { batchSize: 1, maxBatches: 2 });
    expect(second?.deleted[RUNS]).toBe(1);
    expect(await db(RUNS).whereIn('id', ids).pluck('id')).toEqual([]);
  });

  it('a retention of 0 keeps every closed run', async () => {
    const old = await run('completed', 400);
    const report = await runPartitionMaintenance({ db, logger }, {}, [], { rowRetention: { [RUNS]: 0 } });
    expect(report?.deleted).toEqual({});
    expect(await count(RUNS, 'id', old)).toBe(1);
    await rowsOnly([RUNS]); // leaves the next tests a clean slate
  });
});

describe('delivered queue rows and closed dead letters', () => {
  it('past the retention go; undelivered, recent and a still-open run’s receipts stay', async () => {
    const openRun = await run('waiting', null);
    const openWid = (await db(RUNS).where({ id: openRun }).first()).temporal_workflow_id;
    const closedRun = await run('completed', 1);
    const closedWid = (await db(RUNS).where({ id: closedRun }).first()).temporal_workflow_id;
    const e = await event();
    const routerOld = await queueRow(e, 'router', 'delivered', 40);
    const receiptOpen = await queueRow(e, openWid, 'delivered', 40);
    const receiptClosed = await queueRow(e, closedWid, 'delivered', 40);
    const e2 = await event();
    const pending = await queueRow(e2, 'router', 'pending', null);
    const failedOld = await queueRow(e2, 'other', 'failed', 40);
    const e3 = await event();
    const recent = await queueRow(e3, 'router', 'delivered', 3);
    const discarded = await letter('discarded', 40);
    const redriven = await letter('redriven', 35);
    const openLetter = await letter('open', 90);
    const recentLetter = await letter('discarded', 2);

    const report = await rowsOnly([QUEUE, LETTERS]);

    expect(report?.failed).toEqual([]);
    expect(report?.deleted).toEqual({ [QUEUE]: 2, [LETTERS]: 2 });
    expect((await db(QUEUE).whereIn('id', [routerOld, receiptClosed]).pluck('id')).length).toBe(0);
    const stay = [receiptOpen, pending, failedOld, recent];
    expect((await db(QUEUE).whereIn('id', stay).pluck('id')).sort()).toEqual([...stay].sort());
    expect(await db(LETTERS).whereIn('id', [discarded, redriven]).pluck('id')).toEqual([]);
    expect((await db(LETTERS).whereIn('id', [openLetter, recentLetter]).pluck('id')).sort()).toEqual(
      [openLetter, recentLetter].sort(),
    );
  });
});

describe('the archive', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aos-archive-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes readable gzip JSON lines equal to the deleted rows, which reload with jsonb_populate_recordset', async () => {
    const a = await run('completed', 45);
    await dependents(a);
    const b = await run('timed_out', 45);
    const before = asJson(await db(RUNS).whereIn('id', [a, b]));
    const tasksBefore = asJson(await db(TASKS).where({ workflow_instance_id: a }));
    const humanBefore = asJson(await db(HUMAN).where({ workflow_instance_id: a }));

    const report = await rowsOnly([RUNS], { archive: fileArchive(dir) });

    expect(report?.failed).toEqual([]);
    expect(report?.deleted[RUNS]).toBe(2);
    expect(byId(await archived(dir, RUNS))).toEqual(byId(before));
    expect(await archived(dir, TASKS)).toEqual(tasksBefore);
    expect(await archived(dir, HUMAN)).toEqual(humanBefore);
    expect(report?.archived.map((f) => f.table).sort()).toEqual([ACTIONS, HUMAN, TASKS, WAITS, RUNS].sort());
    expect(report?.archived.find((f) => f.table === RUNS)?.rows).toBe(2);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    // The reload recipe of docs/data-lifecycle.md, parents first.
    for (const table of [RUNS, TASKS, HUMAN]) {
      await db.raw(`INSERT INTO ${table} SELECT * FROM jsonb_populate_recordset(NULL::${table}, ?::jsonb)`, [
        JSON.stringify(await archived(dir, table)),
      ]);
    }
    expect(byId(asJson(await db(RUNS).whereIn('id', [a, b])))).toEqual(byId(before));
    expect(asJson(await db(TASKS).where({ workflow_instance_id: a }))).toEqual(tasksBefore);
    await rowsOnly([RUNS]); // and gone again
  });

  it('writes a dropped partition and the rows dropped with it through a cursor, one file each', async () => {
    await ensureTablePartitions(db, EVENTS, 3, 8);
    const month = new Date();
    const inOldMonth = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() - 7, 10, 12));
    const events = [await event(inOldMonth), await event(inOldMonth)];
    for (const e of events) await queueRow(e, 'router', 'delivered', 200);
    const partitionRows = asJson(
      await db(EVENTS.table).whereIn(
        'id',
        events.map((e) => e.id),
      ),
    );

    const report = await runPartitionMaintenance({ db, logger }, { [EVENTS.table]: 6 }, [EVENTS], {
      archive: fileArchive(dir),
    });

    expect(report?.failed).toEqual([]);
    const partition = `${EVENTS.table}_p${inOldMonth.toISOString().slice(0, 7).replace('-', '')}`;
    expect(report?.dropped).toContain(partition);
    expect(byId(await archived(dir, EVENTS.table))).toEqual(byId(partitionRows));
    expect((await archived(dir, `${EV}.event_instance_keys`)).map((r) => r.id).sort()).toEqual(
      events.map((e) => e.id).sort(),
    );
    expect(await archived(dir, QUEUE)).toHaveLength(2);
    const files = await readdir(dir);
    expect(files.some((f) => /^event_processing_service\.event_instances\.\d{8}-\d{8}\.jsonl\.gz$/.test(f))).toBe(true);
  });

  it('that cannot be written deletes nothing and reports the failure', async () => {
    const notADir = join(dir, 'file');
    await writeFile(notADir, 'x');
    const archive = fileArchive(join(notADir, 'archive')); // below a regular file: ENOTDIR
    const old = await run('completed', 50);
    await dependents(old);
    await ensureTablePartitions(db, EVENTS, 3, 9);
    const month = new Date();
    const inOldMonth = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() - 9, 10, 12));
    const e = await event(inOldMonth);
    const partition = `${EVENTS.table}_p${inOldMonth.toISOString().slice(0, 7).replace('-', '')}`;

    const report = await runPartitionMaintenance({ db, logger }, { [EVENTS.table]: 6 }, [EVENTS], {
      rowRetention: { [RUNS]: 30 },
      archive,
    });

    expect(report?.failed.map((f) => f.table).sort()).toEqual([EVENTS.table, RUNS].sort());
    expect(report?.failed.find((f) => f.table === RUNS)?.error).toMatch(/archive .* failed, nothing deleted/);
    expect(report?.deleted[RUNS]).toBe(0);
    expect(report?.dropped).toEqual([]);
    expect(await count(RUNS, 'id', old)).toBe(1);
    expect(await count(TASKS, 'workflow_instance_id', old)).toBe(1);
    expect(await count(EVENTS.table, 'id', e.id)).toBe(1);
    expect((await db.raw('SELECT to_regclass(?) AS r', [partition])).rows[0].r).not.toBeNull();
    await rowsOnly([RUNS]);
  });
});

describe('a dry run', () => {
  it('reports what would go and changes nothing', async () => {
    const old = await run('completed', 70);
    await ensureTablePartitions(db, EVENTS, 3, 10);
    const month = new Date();
    const partition = `${EVENTS.table}_p${new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() - 10, 1))
      .toISOString()
      .slice(0, 7)
      .replace('-', '')}`;

    const report = await runPartitionMaintenance({ db, logger }, { [EVENTS.table]: 6 }, [EVENTS], {
      rowRetention: { [RUNS]: 30 },
      dryRun: true,
    });

    expect(report).toMatchObject({ dryRun: true, failed: [], deleted: { [RUNS]: 1 } });
    expect(report?.dropped).toContain(partition);
    expect(await count(RUNS, 'id', old)).toBe(1);
    expect((await db.raw('SELECT to_regclass(?) AS r', [partition])).rows[0].r).not.toBeNull();
    await rowsOnly([RUNS]);
  });
});

describe('the schedule', () => {
  it('creates missing partitions ahead', async () => {
    const ahead = new Date(Date.now() + 6 * DAY).toISOString().slice(0, 10).replaceAll('-', '');
    await db.raw(`DROP TABLE ${LOGS.table}_p${ahead}`);
    const report = await runPartitionMaintenance({ db, logger }, {}, [LOGS]);
    expect(report?.created[LOGS.table]).toBe(1);
    expect((await db.raw('SELECT to_regclass(?) AS r', [`${LOGS.table}_p${ahead}`])).rows[0].r).not.toBeNull();
  });

  it("the worker's loop runs maintenance at start and again every interval, the row retention included", async () => {
    const ok = async () =>
      (await partitionMaintenanceRuns.get()).values.find((v) => v.labels.outcome === 'ok')?.value ?? 0;
    const old = await run('completed', 90);
    const before = await ok();
    const stop = startPartitionMaintenanceLoop(
      { db, logger, retention: {}, options: { rowRetention: { [RUNS]: 30 } } },
      300,
      () => true,
      0,
    );
    try {
      const deadline = Date.now() + 30_000;
      while ((await ok()) < before + 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await ok()).toBeGreaterThanOrEqual(before + 2);
      expect(await count(RUNS, 'id', old)).toBe(0);
    } finally {
      stop();
    }
  });
});

describe('npm run maintenance', () => {
  const script = join(__dirname, '..', '..', 'scripts', 'maintenance.ts');
  const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
  const maintenance = (args: string[], extra: Record<string, string>) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env = {
        PATH: process.env.PATH,
        DATABASE_URL: process.env[TEST_ENV.databaseUrl],
        LOG_LEVEL: 'silent',
        ...extra,
      };
      execFile(tsx, [script, ...args], { env, timeout: 120_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });

  it('--dry-run prints what would go and changes nothing; a run archives, deletes and prints its files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aos-archive-cli-'));
    try {
      const old = await run('failed', 80);
      const settings = { WORKFLOW_INSTANCES_RETENTION_DAYS: '30', MAINTENANCE_ARCHIVE_DIR: dir };

      const dry = await maintenance(['--dry-run'], settings);
      expect(dry).toMatchObject({ code: 0 });
      expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, deleted: { [RUNS]: 1 }, archived: [] });
      expect(await count(RUNS, 'id', old)).toBe(1);
      expect(await readdir(dir)).toEqual([]);

      const real = await maintenance([], settings);
      expect(real).toMatchObject({ code: 0 });
      const report = JSON.parse(real.stdout);
      expect(report).toMatchObject({ dryRun: false, deleted: { [RUNS]: 1 }, failed: [] });
      expect(report.archived.filter((f: { table: string }) => f.table === RUNS)).toEqual([
        { table: RUNS, file: expect.stringContaining(dir), rows: 1 },
      ]);
      expect(await count(RUNS, 'id', old)).toBe(0);
      expect((await archived(dir, RUNS)).map((r) => r.id)).toEqual([old]);

      expect(await maintenance(['--bogus'], settings)).toMatchObject({ code: 1 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
