/**
 * Routing's in-memory trigger set (services/events/routing/trigger-set.ts) follows every change to the
 * triggers, including changes made through another connection pool (another API or worker process): each
 * write bumps the trigger-set version (migration 027) and the next routing reloads.
 */
import type { Knex } from 'knex';
import { workflowDefinitions } from '../../db/repositories/workflow-definitions';
import {
  deleteTrigger,
  insertTrigger,
  triggerSetVersion,
  updateTrigger,
} from '../../db/repositories/workflow-event-triggers';
import { findTriggers } from '../../services/events/routing/route-triggers';
import { createTestDb } from '../helpers/db';
import { uniq } from './harness';

describe('routing trigger set', () => {
  let router: Knex;
  let writer: Knex;
  const p = `ts${uniq()}`;
  const definition = async (id: string) =>
    (
      await workflowDefinitions.insert(writer, {
        workflow_id: `${p}-${id}`,
        version: '1.0.0',
        name: id,
        status: 'active',
        definition: { workflow_id: `${p}-${id}`, name: id, version: '1.0.0', steps: [] },
      })
    ).id;
  const found = async (name: string) => (await findTriggers(router, name)).map((t) => t.trigger_id);

  beforeAll(() => {
    router = createTestDb();
    writer = createTestDb();
  });
  afterAll(async () => {
    await router.destroy();
    await writer.destroy();
  });

  it('sees inserts, disables, pattern changes and deletes made by another pool, in priority order', async () => {
    const def = await definition('a');
    expect(await found(`${p}.order.created`)).toEqual([]);
    const exact = await insertTrigger(writer, {
      trigger_id: `${p}-exact`,
      workflow_definition_id: def,
      event_pattern: `${p}.order.created`,
      trigger_type: 'START',
      priority: 50,
    });
    const wild = await insertTrigger(writer, {
      trigger_id: `${p}-wild`,
      workflow_definition_id: def,
      event_pattern: `${p}.**`,
      trigger_type: 'START',
      priority: 10,
    });
    await insertTrigger(writer, {
      trigger_id: `${p}-lead`,
      workflow_definition_id: def,
      event_pattern: `*.order.*`,
      trigger_type: 'CANCEL',
      priority: 70,
    });
    expect(await found(`${p}.order.created`)).toEqual([`${p}-wild`, `${p}-exact`, `${p}-lead`]);
    const [first] = await findTriggers(router, `${p}.order.created`);
    expect(first!.definition_workflow_id).toBe(`${p}-a`);

    await updateTrigger(writer, wild.id, { enabled: false });
    expect(await found(`${p}.order.created`)).toEqual([`${p}-exact`, `${p}-lead`]);
    await updateTrigger(writer, exact.id, { event_pattern: `${p}.order.paid`, priority: 90 });
    expect(await found(`${p}.order.created`)).toEqual([`${p}-lead`]);
    expect(await found(`${p}.order.paid`)).toEqual([`${p}-lead`, `${p}-exact`]);
    await deleteTrigger(writer, exact.id);
    expect(await found(`${p}.order.paid`)).toEqual([`${p}-lead`]);
  });

  it('drops the triggers of a deleted definition (cascade) and bumps the version once per statement', async () => {
    const def = await definition('b');
    await insertTrigger(writer, {
      trigger_id: `${p}-b1`,
      workflow_definition_id: def,
      event_pattern: `${p}.b.created`,
      trigger_type: 'START',
    });
    expect(await found(`${p}.b.created`)).toEqual([`${p}-b1`]);
    const before = Number(await triggerSetVersion(writer));
    await writer('workflow_orchestrator_service.workflow_definitions').where({ id: def }).delete();
    expect(Number(await triggerSetVersion(writer))).toBe(before + 1);
    expect(await found(`${p}.b.created`)).toEqual([]);
    // A statement that writes no trigger row still counts (statement trigger): never a missed change.
    await writer('workflow_orchestrator_service.workflow_event_triggers').where({ trigger_id: 'none' }).delete();
    expect(Number(await triggerSetVersion(writer))).toBe(before + 2);
  });
});
