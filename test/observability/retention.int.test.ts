/**
 * Issue #13 item 5, retention: migration 016 turns the telemetry tables into daily partitions keeping every row and
 * id; rows land in their day's partition (DEFAULT when none covers them); maintenance creates partitions ahead
 * idempotently, one process at a time, drops whole partitions past the retention and keeps the newer ones, and
 * never drops a task/event instance partition whose rows are still in use.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import pino from 'pino';
import request from 'supertest';
import { createDb } from '../../db/connection';
import { migrationSource } from '../../db/migrate';
import { ensureTablePartitions, partitionedTable } from '../../db/partitions';
import { getObservability, insertLogs, type LogRowInput } from '../../db/repositories/observability';
import { partitionMaintenanceRuns, partitionsDropped, partitionsKept } from '../../services/observability/metrics';
import { runPartitionMaintenance } from '../../services/maintenance/partition-maintenance';
import { startPartitionMaintenanceLoop } from '../../workers/partition-maintenance-loop';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller } from '../helpers/auth';
import { createTestDb } from '../helpers/db';
import { createTestDatabase } from '../helpers/test-database';

jest.setTimeout(60_000);

const logger = pino({ level: 'silent' });
const LOGS = partitionedTable('observability_service.observability_logs');
const TASKS = partitionedTable('task_execution_service.task_instances');
const EVENTS = partitionedTable('event_processing_service.event_instances');
const DAY = 86_400_000;

/** `YYYYMMDD` (UTC) of `now + days`. */
function dayName(days: number): string {
  return new Date(Date.now() + days * DAY).toISOString().slice(0, 10).replaceAll('-', '');
}

/** A moment in the UTC month `months` from this one (its 10th, noon). */
function inMonth(months: number): Date {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 10, 12));
}

function monthName(months: number): string {
  return inMonth(months).toISOString().slice(0, 7).replace('-', '');
}

async function partitionOf(db: Knex, table: string, id: string): Promise<string> {
  const { rows } = await db.raw(`SELECT tableoid::regclass::text AS p FROM ${table} WHERE id = ?`, [id]);
  return rows[0]?.p;
}

async function exists(db: Knex, relation: string): Promise<boolean> {
  return Boolean((await db.raw('SELECT to_regclass(?) AS r', [relation])).rows[0].r);
}

const logRow = (message: string, at: Date): LogRowInput => ({
  timestamp: at.toISOString(),
  level: 'info',
  message,
  service: 'retention-test',
  request_id: null,
  temporal_workflow_id: null,
  workflow_instance_id: null,
  step_id: null,
  trace_id: null,
  span_id: null,
  attributes: {},
});

describe('migration 016 on a database holding telemetry', () => {
  let fresh: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Knex;
  beforeAll(async () => {
    fresh = await createTestDatabase({ migrate: false });
    db = createDb({ url: fresh.url, poolMax: 3 });
  });
  afterAll(async () => {
    await db?.destroy();
    await fresh?.drop();
  });

  it('keeps every row and id, routes them to daily partitions (DEFAULT past 31 days) and down restores the plain tables', async () => {
    const before016 = {
      ...migrationSource,
      getMigrations: async () => (await migrationSource.getMigrations([])).filter((n) => n < '016'),
    };
    await db.migrate.latest({ migrationSource: before016 });
    // Up to 016 and no further: `down` then rolls back 016 itself (later migrations are forward-only).
    const through016 = {
      ...migrationSource,
      getMigrations: async () => (await migrationSource.getMigrations([])).filter((n) => n <= '016~'),
    };
    const obs = 'observability_service';
    const logs = await db(`${obs}.observability_logs`)
      .insert([
        { level: 'info', message: 'today' },
        { level: 'warn', message: 'three days ago', timestamp: new Date(Date.now() - 3 * DAY) },
        { level: 'error', message: 'ninety days ago', timestamp: new Date(Date.now() - 90 * DAY) },
      ])
      .returning('*');
    const [metric] = await db(`${obs}.observability_metrics`)
      .insert({ name: 'm', type: 'gauge', value: 1.5, labels: { a: 'b' } })
      .returning('*');
    const [span] = await db(`${obs}.observability_traces`)
      .insert({ trace_id: 't'.repeat(32), span_id: 's'.repeat(16), name: 'span', started_at: new Date() })
      .returning('*');

    await db.migrate.latest({ migrationSource: through016 });

    const after = await db(`${obs}.observability_logs`).orderBy('timestamp');
    expect(after).toEqual([...logs].sort((a, b) => a.timestamp - b.timestamp));
    expect(await db(`${obs}.observability_metrics`)).toEqual([metric]);
    expect(await db(`${obs}.observability_traces`)).toEqual([span]);
    expect(await partitionOf(db, `${obs}.observability_logs`, logs[0].id)).toBe(
      `${obs}.observability_logs_p${dayName(0)}`,
    );
    expect(await partitionOf(db, `${obs}.observability_logs`, logs[1].id)).toBe(
      `${obs}.observability_logs_p${dayName(-3)}`,
    );
    expect(await partitionOf(db, `${obs}.observability_logs`, logs[2].id)).toBe(`${obs}.observability_logs_default`);
    expect(await getObservability(db, 'logs', logs[2].id)).toEqual(logs[2]);
    expect(await getObservability(db, 'traces', span.id)).toEqual(span);

    await db.migrate.down({ migrationSource: through016 });
    expect(await db(`${obs}.observability_logs`).orderBy('timestamp')).toEqual(after);
    expect(await partitionOf(db, `${obs}.observability_logs`, logs[0].id)).toBe(`${obs}.observability_logs`);
    await expect(
      db(`${obs}.observability_traces`).insert({
        trace_id: span.trace_id,
        span_id: span.span_id,
        name: 'dup',
        started_at: new Date(0),
      }),
    ).rejects.toThrow(/unique/);
    await db.migrate.latest({ migrationSource });
    expect(await db(`${obs}.observability_logs`).orderBy('timestamp')).toEqual(after);
  });
});

describe('on the migrated database', () => {
  let api: TestApi;
  let db: Knex;
  beforeAll(async () => {
    api = await createTestApi();
    db = api.deps.db;
  });
  afterAll(() => api?.close());

  it("a log line lands in its day's partition, one past the partitions in DEFAULT, and both are readable by id", async () => {
    const tag = randomBytes(4).toString('hex');
    await insertLogs(db, [logRow(`${tag} now`, new Date()), logRow(`${tag} later`, new Date(Date.now() + 40 * DAY))]);
    const rows = await db(LOGS.table).where('message', 'like', `${tag}%`).orderBy('timestamp');
    expect(await partitionOf(db, LOGS.table, rows[0].id)).toBe(`${LOGS.table}_p${dayName(0)}`);
    expect(await partitionOf(db, LOGS.table, rows[1].id)).toBe(`${LOGS.table}_default`);
    const admin = await createTestCaller(api.deps, ['*'], `retention-${tag}`);
    for (const row of rows) {
      const res = await request(api.app).get(`/api/v1/observability/logs/${row.id}`).set(admin.bearer).expect(200);
      expect(res.body).toMatchObject({ id: row.id, message: row.message });
    }
  });

  it('creating partitions ahead moves the rows DEFAULT held for them, concurrently and idempotently', async () => {
    const [row] = await db(LOGS.table)
      .insert({ level: 'info', message: 'ten days ahead', timestamp: new Date(Date.now() + 10 * DAY) })
      .returning('*');
    expect(await partitionOf(db, LOGS.table, row.id)).toBe(`${LOGS.table}_default`);
    const created = await Promise.all([1, 2, 3].map(() => ensureTablePartitions(db, LOGS, 12)));
    expect(created.reduce((a, b) => a + b, 0)).toBe(5); // days 8..12, each created once
    expect(await ensureTablePartitions(db, LOGS, 12)).toBe(0);
    expect(await partitionOf(db, LOGS.table, row.id)).toBe(`${LOGS.table}_p${dayName(10)}`);
  });

  it('maintenance drops the daily partitions past the retention, keeps the newer ones and purges DEFAULT', async () => {
    await ensureTablePartitions(db, LOGS, 7, 20);
    const at = (days: number) => new Date(Date.now() + days * DAY);
    const ids = Object.fromEntries(
      await Promise.all(
        [-40, -20, -15, -14, -1].map(async (d) => {
          const [r] = await db(LOGS.table)
            .insert({ level: 'info', message: `day ${d}`, timestamp: at(d) })
            .returning('id');
          return [d, r.id as string] as const;
        }),
      ),
    );
    const droppedBefore = (await partitionsDropped.get()).values.find((v) => v.labels.table === LOGS.table)?.value ?? 0;

    const report = await runPartitionMaintenance({ db, logger }, { [LOGS.table]: 14 }, [LOGS]);

    expect(report?.failed).toEqual([]);
    // Day -15 ends at the start of day -14, before now - 14 days: dropped. Day -14 ends after it: kept.
    expect(await exists(db, `${LOGS.table}_p${dayName(-15)}`)).toBe(false);
    expect(await exists(db, `${LOGS.table}_p${dayName(-20)}`)).toBe(false);
    expect(await exists(db, `${LOGS.table}_p${dayName(-14)}`)).toBe(true);
    expect(report?.dropped).toEqual(
      Array.from({ length: 6 }, (_, i) => `${LOGS.table}_p${dayName(-20 + i)}`), // days -20..-15
    );
    const left = await db(LOGS.table).whereIn('id', Object.values(ids)).pluck('message');
    expect(left.sort()).toEqual(['day -1', 'day -14']);
    expect(report?.purged[LOGS.table]).toBe(1); // day -40, which sat in DEFAULT
    const droppedAfter = (await partitionsDropped.get()).values.find((v) => v.labels.table === LOGS.table)?.value;
    expect(droppedAfter).toBe(droppedBefore + 6);

    const again = await runPartitionMaintenance({ db, logger }, { [LOGS.table]: 14 }, [LOGS]);
    expect(again).toMatchObject({ dropped: [], kept: [], created: { [LOGS.table]: 0 }, purged: { [LOGS.table]: 0 } });
  });

  it('a retention of 0 keeps everything', async () => {
    await ensureTablePartitions(db, LOGS, 7, 3);
    const report = await runPartitionMaintenance({ db, logger }, { [LOGS.table]: 0 }, [LOGS]);
    expect(report).toMatchObject({ dropped: [], kept: [] });
    expect(await exists(db, `${LOGS.table}_p${dayName(-3)}`)).toBe(true);
  });

  it('two runs started together never fail: one works, the other finds the lock taken or finds nothing left to do', async () => {
    await ensureTablePartitions(db, LOGS, 7, 25);
    const runs = await Promise.all(
      [1, 2].map(() => runPartitionMaintenance({ db, logger }, { [LOGS.table]: 14 }, [LOGS])),
    );
    const reports = runs.filter((r) => r !== undefined);
    expect(reports.length).toBeGreaterThanOrEqual(1);
    expect(reports.flatMap((r) => r.failed)).toEqual([]);
    const dropped = reports.flatMap((r) => r.dropped);
    expect(new Set(dropped).size).toBe(dropped.length); // no partition dropped twice
    expect(dropped).toContain(`${LOGS.table}_p${dayName(-25)}`);
  });

  it('while another process holds the maintenance lock, a run does nothing and is counted as locked', async () => {
    const holder = createTestDb(); // another process's connection
    try {
      await holder.transaction(async (trx) => {
        await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('aos_partition_maintenance'))`);
        const locked = async () =>
          (await partitionMaintenanceRuns.get()).values.find((v) => v.labels.outcome === 'locked')?.value ?? 0;
        const before = await locked();
        expect(await runPartitionMaintenance({ db, logger }, { [LOGS.table]: 1 }, [LOGS])).toBeUndefined();
        expect(await locked()).toBe(before + 1);
      });
    } finally {
      await holder.destroy();
    }
  });

  it('task instance partitions past the retention are dropped only when every run and task in them is finished', async () => {
    await ensureTablePartitions(db, TASKS, 3, 6);
    const [def] = await db('workflow_orchestrator_service.workflow_definitions')
      .insert({ workflow_id: `ret-${randomUUID()}`, version: '1.0.0', name: 'Retention', definition: '{}' })
      .returning('*');
    const run = async (status: string) =>
      (
        await db('workflow_orchestrator_service.workflow_instances')
          .insert({
            temporal_workflow_id: `ret-${randomUUID()}`,
            workflow_definition_id: def.id,
            definition_workflow_id: def.workflow_id,
            definition_version: '1.0.0',
            status,
          })
          .returning('id')
      )[0].id as string;
    const task = async (runId: string, months: number, status: string) =>
      (
        await db(TASKS.table)
          .insert({
            workflow_instance_id: runId,
            step_id: 's',
            execution_key: randomUUID(),
            status,
            created_at: inMonth(months),
          })
          .returning('id')
      )[0].id as string;
    const running = await run('running');
    const done = await run('completed');
    await task(running, -5, 'completed'); // a finished step of a run still going
    const doneTask = await task(done, -4, 'completed');
    await task(done, -3, 'running'); // a task row the mirror never closed
    await db('task_execution_service.human_task_events').insert({
      task_instance_id: doneTask,
      workflow_instance_id: done,
      kind: 'created',
      actor: 'system',
    });
    const keptBefore = (await partitionsKept.get()).values.find((v) => v.labels.table === TASKS.table)?.value ?? 0;

    const report = await runPartitionMaintenance({ db, logger }, { [TASKS.table]: 2 }, [TASKS]);

    expect(report?.failed).toEqual([]);
    expect(report?.dropped).toEqual([`${TASKS.table}_p${monthName(-6)}`, `${TASKS.table}_p${monthName(-4)}`]);
    expect(report?.kept).toEqual([
      { partition: `${TASKS.table}_p${monthName(-5)}`, reason: 'holds task instances of runs that are not finished' },
      { partition: `${TASKS.table}_p${monthName(-3)}`, reason: 'holds task instances that are not finished' },
    ]);
    expect(await db('task_execution_service.human_task_events').where({ task_instance_id: doneTask })).toEqual([]);
    expect(await db(TASKS.table).where({ workflow_instance_id: running })).toHaveLength(1);
    expect(await exists(db, `${TASKS.table}_p${monthName(-2)}`)).toBe(true); // not past the retention yet
    const keptAfter = (await partitionsKept.get()).values.find((v) => v.labels.table === TASKS.table)?.value;
    expect(keptAfter).toBe(keptBefore + 2);
  });

  it('event instance partitions past the retention are kept while they hold undelivered events or open dead letters', async () => {
    await ensureTablePartitions(db, EVENTS, 3, 6);
    const event = async (months: number, delivery: string, deadLetter?: string) => {
      const id = randomUUID();
      const eventId = `ret-${id}`;
      const createdAt = inMonth(months);
      await db('event_processing_service.event_instance_keys').insert({
        id,
        event_id: eventId,
        event_created_at: createdAt,
      });
      await db(EVENTS.table).insert({ id, event_id: eventId, pattern: 'retention.test', created_at: createdAt });
      await db('event_processing_service.event_queue_state').insert({
        event_instance_id: id,
        event_id: eventId,
        status: delivery,
      });
      if (deadLetter)
        await db('event_processing_service.dead_letter_queue').insert({
          event_instance_id: id,
          event_id: eventId,
          error: {},
          status: deadLetter,
        });
      return id;
    };
    await event(-5, 'pending');
    const delivered = await event(-4, 'delivered');
    const closedLetter = await event(-4, 'dead_lettered', 'discarded');
    await event(-3, 'dead_lettered', 'open');

    const report = await runPartitionMaintenance({ db, logger }, { [EVENTS.table]: 2 }, [EVENTS]);

    expect(report?.failed).toEqual([]);
    expect(report?.dropped).toEqual([`${EVENTS.table}_p${monthName(-6)}`, `${EVENTS.table}_p${monthName(-4)}`]);
    expect(report?.kept).toEqual([
      { partition: `${EVENTS.table}_p${monthName(-5)}`, reason: 'holds events not delivered yet' },
      { partition: `${EVENTS.table}_p${monthName(-3)}`, reason: 'holds events with an open dead letter' },
    ]);
    // The dropped events' keys and delivery rows went with them; a closed dead letter stays, unlinked.
    expect(await db('event_processing_service.event_instance_keys').whereIn('id', [delivered, closedLetter])).toEqual(
      [],
    );
    expect(await db('event_processing_service.event_queue_state').whereIn('event_instance_id', [delivered])).toEqual(
      [],
    );
    const [letter] = await db('event_processing_service.dead_letter_queue').where({ event_id: `ret-${closedLetter}` });
    expect(letter).toMatchObject({ status: 'discarded', event_instance_id: null });
  });

  it("the worker's loop runs maintenance soon after it starts, without being awaited", async () => {
    const ok = async () =>
      (await partitionMaintenanceRuns.get()).values.find((v) => v.labels.outcome === 'ok')?.value ?? 0;
    const before = await ok();
    const stop = startPartitionMaintenanceLoop({ db, logger, retention: {} }, 60_000, () => true, 0);
    try {
      const deadline = Date.now() + 20_000;
      while ((await ok()) === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await ok()).toBe(before + 1);
    } finally {
      stop();
    }
  });
});
