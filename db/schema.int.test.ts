/** The data model on a real PostgreSQL: tables, conventions, partitions, triggers, history. */
import type { Knex } from 'knex';
import { createDb } from './connection';
import { migrateLatest } from './migrate';
import { ensurePartitions } from './partitions';
import { createTestDatabase, type TestDatabase } from '../test/helpers/test-database';
import { BUSINESS_KEYS, EXTRA_TABLES, PARTITION_COLUMNS, documentedTables } from './schema-expectations';
import {
  columnTypes,
  foreignKeys,
  indexes,
  listTables,
  partitionedTables,
  primaryKeys,
  tablesWithUpdatedAtTrigger,
} from './schema-inspect';

const PARTITIONED = Object.keys(PARTITION_COLUMNS).sort();

let fresh: TestDatabase & { drop(): Promise<void> };
let db: Knex;

beforeAll(async () => {
  fresh = await createTestDatabase({ migrate: false });
  db = createDb({ url: fresh.url, poolMax: 3 });
});
afterAll(async () => {
  await db.destroy();
  await fresh.drop();
});

describe('migrating an empty database', () => {
  it('applies every migration once, then is a no-op', async () => {
    expect((await migrateLatest(db)).length).toBeGreaterThanOrEqual(8);
    expect(await migrateLatest(db)).toEqual([]);
  });

  it('creates all 23 documented tables in their 8 schemas, plus the documented helper tables', async () => {
    const tables = await listTables(db);
    expect(documentedTables()).toHaveLength(23);
    for (const t of [...documentedTables(), ...EXTRA_TABLES]) expect(tables).toContain(t);
  });
});

describe('conventions, checked mechanically', () => {
  it('every table has a uuid id primary key (plus the partition column when partitioned), created_at and updated_at', async () => {
    const [tables, pks, types] = await Promise.all([listTables(db), primaryKeys(db), columnTypes(db)]);
    for (const t of tables) {
      const cols = types.get(t)!;
      expect({ t, id: cols.get('id') }).toEqual({ t, id: 'uuid' });
      expect({ t, pk: pks.get(t) }).toEqual({ t, pk: PARTITION_COLUMNS[t] ? ['id', PARTITION_COLUMNS[t]] : ['id'] });
      expect({ t, c: cols.get('created_at'), u: cols.get('updated_at') }).toEqual({
        t,
        c: 'timestamp with time zone',
        u: 'timestamp with time zone',
      });
    }
  });

  it('every business identifier is unique', async () => {
    const idx = await indexes(db);
    for (const [t, key] of Object.entries(BUSINESS_KEYS)) {
      const expected = PARTITION_COLUMNS[t] ? [...key, PARTITION_COLUMNS[t]] : key;
      const found = idx.some((i) => i.t === t && i.unique && !i.partial && i.cols.join() === expected.join());
      expect({ t, key, found }).toEqual({ t, key, found: true });
    }
  });

  it('every foreign key column leads some index', async () => {
    const [fks, idx] = await Promise.all([foreignKeys(db), indexes(db)]);
    expect(fks.length).toBeGreaterThan(20);
    for (const fk of fks) {
      const indexed = idx.some((i) => i.t === fk.t && i.cols[0] === fk.col);
      expect({ ...fk, indexed }).toEqual({ ...fk, indexed: true });
    }
  });

  it('event_instances, task_instances and the three telemetry tables are range-partitioned', async () => {
    expect(await partitionedTables(db)).toEqual(PARTITIONED);
  });

  it('every table keeps updated_at by the shared trigger', async () => {
    const withTrigger = await tablesWithUpdatedAtTrigger(db);
    for (const t of await listTables(db)) expect({ t, trigger: withTrigger.includes(t) }).toEqual({ t, trigger: true });
  });
});

async function seedWorkflowInstance(): Promise<string> {
  const [def] = await db('workflow_orchestrator_service.workflow_definitions')
    .insert({ workflow_id: `wf-${Date.now()}`, version: '1.0.0', name: 'Partition test', definition: '{}' })
    .returning('*');
  const [wi] = await db('workflow_orchestrator_service.workflow_instances')
    .insert({
      temporal_workflow_id: `t-${def.id}`,
      workflow_definition_id: def.id,
      definition_workflow_id: def.workflow_id,
      definition_version: '1.0.0',
    })
    .returning('id');
  return wi.id as string;
}

function monthsFromNow(months: number): Date {
  const d = new Date();
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

describe('partitions', () => {
  it('accepts rows dated next month and three years ago in both partitioned tables', async () => {
    const wi = await seedWorkflowInstance();
    for (const [label, at] of [
      ['next', monthsFromNow(1)],
      ['old', monthsFromNow(-36)],
    ] as const) {
      await db('task_execution_service.task_instances').insert({
        workflow_instance_id: wi,
        step_id: 's',
        execution_key: label,
        created_at: at,
      });
      await db('event_processing_service.event_instances').insert({
        event_id: `p-${label}-${wi}`,
        pattern: 'x.y',
        created_at: at,
      });
    }
    const { rows } = await db.raw(
      `SELECT tableoid::regclass::text AS part FROM event_processing_service.event_instances WHERE event_id = ?`,
      [`p-old-${wi}`],
    );
    expect(rows[0].part).toBe('event_processing_service.event_instances_default');
  });

  it('ensurePartitions creates months ahead and moves rows already caught by the default partition', async () => {
    const wi = await seedWorkflowInstance();
    const far = monthsFromNow(7);
    await db('task_execution_service.task_instances').insert({
      workflow_instance_id: wi,
      step_id: 's',
      execution_key: 'far',
      created_at: far,
    });
    expect(await ensurePartitions(db, 8)).toBeGreaterThanOrEqual(2 * 5);
    expect(await ensurePartitions(db, 8)).toBe(0);
    const { rows } = await db.raw(
      `SELECT tableoid::regclass::text AS part FROM task_execution_service.task_instances WHERE workflow_instance_id = ?`,
      [wi],
    );
    const month = `${far.getUTCFullYear()}${String(far.getUTCMonth() + 1).padStart(2, '0')}`;
    expect(rows[0].part).toBe(`task_execution_service.task_instances_p${month}`);
  });
});

describe('triggers', () => {
  it('updated_at moves on update', async () => {
    const [row] = await db('auth_service.roles').insert({ role_id: 'r-updated-at', name: 'R' }).returning('*');
    await new Promise((r) => setTimeout(r, 20));
    const [after] = await db('auth_service.roles').where({ id: row.id }).update({ name: 'R2' }).returning('*');
    expect(after.updated_at.getTime()).toBeGreaterThan(row.updated_at.getTime());
    expect(after.created_at).toEqual(row.created_at);
  });

  it('definition history records the previous version, when and by whom; a no-op update records nothing', async () => {
    const [def] = await db('task_execution_service.task_definitions')
      .insert({ task_id: 'hist-task', version: '1.0.0', name: 'Before', type: 'echo' })
      .returning('*');
    await db('task_execution_service.task_definitions')
      .where({ id: def.id })
      .update({ name: 'After', updated_by: 'alice' });
    await db('task_execution_service.task_definitions').where({ id: def.id }).update({ name: 'After' });
    const history = await db('task_execution_service.task_definition_history').where({ definition_id: def.id });
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      business_id: 'hist-task',
      version: '1.0.0',
      operation: 'UPDATE',
      changed_by: 'alice',
    });
    expect(history[0].row_data.name).toBe('Before');
    await db('task_execution_service.task_definitions').where({ id: def.id }).delete();
    const all = await db('task_execution_service.task_definition_history')
      .where({ definition_id: def.id })
      .orderBy('changed_at');
    expect(all.map((h: { operation: string }) => h.operation)).toEqual(['UPDATE', 'DELETE']);
  });
});

describe('monitoring views', () => {
  it('answer on the migrated schema', async () => {
    for (const v of ['active_executions', 'execution_performance', 'task_performance', 'storage_usage']) {
      await expect(db(`observability_service.${v}`).select('*')).resolves.toBeInstanceOf(Array);
    }
    const sizes = await db('observability_service.storage_usage').where({ table_name: 'task_instances' });
    expect(sizes[0].total_bytes).toBeGreaterThan(0);
  });
});
