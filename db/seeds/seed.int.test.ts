/** The example seed loads once and re-runs without changes (no duplicates, no history rows). */
import type { Knex } from 'knex';
import { createTestDb } from '../../test/helpers/db';
import { seed } from '.';

let db: Knex;
beforeAll(() => {
  db = createTestDb();
});
afterAll(async () => {
  await db.destroy();
});

it('is idempotent: a second run changes nothing', async () => {
  const first = await seed(db);
  const second = await seed(db);
  expect(second).toEqual(first);
  expect(first.workflows).toEqual(['order-processing@1.0.0', 'expense-approval@1.0.0']);
  expect(first.forms).toEqual(['expense-approval@1.0.0']);
  expect(first.roles).toEqual(['approvers', 'finance-managers']);
  expect(first.tests).toEqual([
    'order-processing-tests@1.0.0',
    'order-total-tests@1.0.0',
    'expense-approval-tests@1.0.0',
  ]);
  const [{ n }] = await db('workflow_orchestrator_service.workflow_definitions')
    .where({ workflow_id: 'order-processing' })
    .count({ n: '*' });
  expect(Number(n)).toBe(1);
  const [{ h }] = await db('workflow_orchestrator_service.workflow_definition_history')
    .count({ h: '*' })
    .whereIn('business_id', ['order-processing', 'expense-approval']);
  expect(Number(h)).toBe(0);
  const [{ t }] = await db('testing_framework_service.test_definition_history').count({ t: '*' });
  expect(Number(t)).toBe(0);
});
