/**
 * The real Temporal server (devstack/temporal-server.ts) on the local PostgreSQL: four service processes, the
 * configured history shard count, the platform's search attributes, and a platform workflow (the interpreter, with
 * the engine tests' fake activities) run by a worker through it and found again by a visibility query on PostgreSQL.
 * Needs the binaries of scripts/install-temporal-server.sh (CI installs them); without them it fails with that hint.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import pg from 'pg';
import { runSearchAttributes, SEARCH_ATTRIBUTE_KEYS } from '../../common/search-attributes';
import type { interpreterWorkflow } from '../../workflows';
import { startTemporalServer, type TemporalServer } from '../../devstack/temporal-server';
import { createFakeActivities } from '../engine/fake-activities';
import { scenarioInput } from '../engine/run-scenario';
import { SCENARIOS } from '../engine/scenarios';
import { workflowSource } from '../helpers/temporal';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
// Databases of this run only: they are the only ones dropped afterwards.
const prefix = `tsrv_test_${randomBytes(4).toString('hex')}`;
const dataDir = mkdtempSync(join(tmpdir(), 'aos-temporal-server-'));
const HISTORY_SHARDS = 3; // not the default 4, so the check sees the configured value
let server: TemporalServer | undefined;
let connection: Connection | undefined;

beforeAll(async () => {
  server = await startTemporalServer({
    postgresUrl: ADMIN_URL,
    databasePrefix: prefix,
    dataDir,
    historyShards: HISTORY_SHARDS,
    maxConns: 4,
  });
  connection = await Connection.connect({ address: server.address });
}, 150_000);

afterAll(async () => {
  await connection?.close();
  await server?.stop();
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    for (const db of [prefix, `${prefix}_visibility`]) await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('the real Temporal server on PostgreSQL', () => {
  it('runs frontend, history, matching and worker as four processes with the configured history shards', async () => {
    expect(server!.processes).toHaveLength(4);
    expect(server!.processes.every((p) => p.exitCode === null && p.signalCode === null)).toBe(true);
    const info = await connection!.workflowService.getClusterInfo({});
    expect(info.historyShardCount).toBe(HISTORY_SHARDS);
    expect(info.serverVersion).toBe('1.29.1');
    expect(info.persistenceStore).toBe('postgres12');
    expect(info.visibilityStore).toBe('postgres12');
  });

  it('has the namespace with every platform search attribute registered as a Keyword', async () => {
    const { customAttributes } = await connection!.operatorService.listSearchAttributes({ namespace: 'default' });
    for (const key of SEARCH_ATTRIBUTE_KEYS)
      expect(customAttributes?.[key.name]).toBe(temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
  });

  it('runs a platform workflow through a worker and finds it by its search attributes', async () => {
    const taskQueue = `tsrv-${randomBytes(4).toString('hex')}`;
    const workerConnection = await NativeConnection.connect({ address: server!.address });
    const worker = await Worker.create({
      connection: workerConnection,
      namespace: 'default',
      taskQueue,
      ...workflowSource(),
      activities: createFakeActivities().activities,
    });
    const client = new Client({ connection: connection!, namespace: 'default' });
    const input = scenarioInput(SCENARIOS['task-data-flow']);
    const workflowId = `tsrv-${input.instanceId}`;
    try {
      const result = await worker.runUntil(async () => {
        const handle = await client.workflow.start<typeof interpreterWorkflow>('interpreterWorkflow', {
          taskQueue,
          workflowId,
          args: [input],
          typedSearchAttributes: runSearchAttributes('task-data-flow', '1.0.0', { kind: 'api' }, 'cust-7'),
        });
        return handle.result();
      });
      expect(result).toEqual({ total: 10, count: 2, label: 'order o-1 for cust-7', instance: input.instanceId });

      // Visibility on PostgreSQL is written asynchronously after the close: poll, not sleep.
      const query = `AosDefinitionId = 'task-data-flow' AND AosCorrelationKey = 'cust-7' AND WorkflowId = '${workflowId}'`;
      const deadline = Date.now() + 30_000;
      const found: string[] = [];
      while (found.length === 0 && Date.now() < deadline) {
        for await (const wf of client.workflow.list({ query }))
          if (wf.status.name === 'COMPLETED') found.push(wf.workflowId);
        if (found.length === 0) await new Promise((r) => setTimeout(r, 250));
      }
      expect(found).toEqual([workflowId]);
    } finally {
      await workerConnection.close();
    }
  }, 90_000);
});
