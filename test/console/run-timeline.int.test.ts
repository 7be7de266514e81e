/**
 * The run view's Timeline and Logs sections in a real browser (Debian's chromium via playwright-core) over a run
 * whose telemetry is seeded straight into the tables (test/helpers/observability-seed.ts): one bar per step
 * execution on the run's time axis, coloured by status, a bar's tooltip and its spans on selection; the run's
 * log lines newest first, filtered by minimum level and by text, paged. Screenshot: docs/console/run-timeline.png.
 */
import type { Browser, Page } from 'playwright-core';
import { activeTask, activeWorkflow } from '../engine-runs/harness';
import { uniq } from '../events/harness';
import { createRunRow } from '../helpers/human-tasks';
import { seedRunTelemetry, type SeededRun } from '../helpers/observability-seed';
import {
  createLoginUser,
  expectAttr,
  expectCount,
  expectText,
  launchBrowser,
  loginAs,
  newPage,
  screenshot,
  startConsoleStack,
  type ConsoleStack,
  type LoginUser,
  type PageProblems,
} from './browser';

jest.setTimeout(120_000);

const p = `timeline-${uniq()}`;
let stack: ConsoleStack;
let browser: Browser;
let admin: LoginUser;
let viewer: LoginUser;
let page: Page;
let problems: PageProblems;
let seeded: SeededRun;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startConsoleStack(), launchBrowser()]);
  admin = await createLoginUser(stack, { username: `${p}-admin`, roles: ['admin'] });
  const role = `${p}-runs-only`;
  const created = await stack.http.post('/api/v1/roles').send({
    role_id: role,
    name: 'Runs only',
    permissions: ['workflow_instances:read', 'workflow_definitions:read', 'events:read'],
  });
  expect(created.status).toBe(201);
  viewer = await createLoginUser(stack, { username: `${p}-viewer`, roles: [role] });
  const wf = `${p}-orders`;
  for (const step of ['validate', 'charge', 'notify'])
    await activeTask(stack.db, { task_id: `${p}-${step}`, type: 'transform', config: { expression: '$input' } });
  await activeWorkflow(stack.db, {
    workflow_id: wf,
    name: 'Order payment',
    steps: ['validate', 'charge', 'notify'].map((id) => ({ id, type: 'task', task: `${p}-${id}` })),
  } as never);
  const run = await createRunRow(stack.db, wf);
  const t0 = new Date(Date.now() - 60_000);
  await stack
    .db('workflow_orchestrator_service.workflow_instances')
    .where({ id: run.instanceId })
    .update({ status: 'failed', started_at: t0, completed_at: new Date(t0.getTime() + 3200) });
  seeded = await seedRunTelemetry(stack.db, run.instanceId, `${wf}:${run.instanceId}`, t0);
  // Older chatter, so the log list has a second page.
  await stack.db('observability_service.observability_logs').insert(
    Array.from({ length: 55 }, (_, i) => ({
      timestamp: new Date(t0.getTime() - 1000 + i),
      level: 'debug',
      message: `heartbeat ${i}`,
      workflow_instance_id: run.instanceId,
    })),
  );
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});
beforeEach(async () => {
  ({ page, problems } = await newPage(browser));
});
afterEach(async () => {
  expect(problems.errors).toEqual([]);
  await page.context().close();
});

const box = async (testId: string) => (await page.getByTestId(testId).boundingBox())!;

it('draws each step execution on the run’s time axis, coloured by status, with its spans on selection', async () => {
  await loginAs(page, stack, admin);
  await page.goto(`${stack.url}/console/runs/${seeded.instanceId}`);
  const timeline = page.getByTestId('timeline');
  await timeline.waitFor();
  await expectAttr(page.getByTestId('timeline-step-validate'), 'data-status', 'completed');
  await expectAttr(page.getByTestId('timeline-step-charge'), 'data-status', 'completed');
  await expectAttr(page.getByTestId('timeline-step-notify'), 'data-status', 'failed');
  // A choice step has no execution row: its span puts it on the timeline.
  await expectAttr(page.getByTestId('timeline-step-route'), 'data-status', 'completed');
  expect(await page.getByTestId('timeline-step-route').getAttribute('title')).toBe(
    'route (choice): completed, 30 ms, attempt 1, 1 span',
  );
  // Bars follow the clock: validate (100-600 ms) before charge (700-2800 ms), charge the longest, notify last.
  const [validate, charge, notify] = [
    await box('timeline-step-validate'),
    await box('timeline-step-charge'),
    await box('timeline-step-notify'),
  ];
  expect(validate.x + validate.width).toBeLessThanOrEqual(charge.x + 1);
  expect(charge.x + charge.width).toBeLessThanOrEqual(notify.x + 1);
  expect(charge.width).toBeGreaterThan(3 * validate.width);
  expect(await page.getByTestId('timeline-step-charge').getAttribute('title')).toBe(
    'charge (task): completed, 2.1 s, attempt 2, 3 spans',
  );
  await expectText(page.getByTestId('timeline-trace'), seeded.traceId);

  await page.getByTestId('timeline-step-charge').click();
  const detail = page.getByTestId('timeline-detail');
  await expectCount(detail.getByTestId('timeline-span'), 3);
  await expectText(detail.getByTestId('timeline-span').nth(0), 'step charge');
  await expectText(detail.getByTestId('timeline-span').nth(1), 'RunActivity:runTask');
  await expectText(detail.getByTestId('timeline-span').nth(1), 'failed');
  await expectText(detail.getByTestId('timeline-span').nth(2), 'completed');

  // Logs: newest first, 50 a page; the filters narrow them.
  const lines = page.getByTestId('log-line');
  await expectCount(lines, 50);
  await expectText(lines.first(), 'run failed');
  await page.getByRole('button', { name: 'Next page' }).click();
  await expectCount(lines, 64);
  await expectText(lines.last(), 'heartbeat 0');
  await page.getByLabel('Level at least').selectOption('warn');
  await page.getByRole('button', { name: 'Search' }).click();
  await expectCount(lines, 3);
  expect(await lines.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-level')))).toEqual([
    'fatal',
    'error',
    'warn',
  ]);
  await page.getByTestId('timeline-step-charge').scrollIntoViewIfNeeded();
  await screenshot(page, 'run-timeline');

  await page.getByLabel('Level at least').selectOption('');
  await page.getByLabel('Message contains').fill('100%');
  await page.getByLabel('Message contains').press('Enter');
  await expectCount(lines, 1);
  await expectText(lines.first(), 'Validated 100% of the order lines');
  await page.getByLabel('Message contains').fill('no such line');
  await page.getByRole('button', { name: 'Search' }).click();
  await expectCount(lines, 0);
  await expectText(page.getByRole('region', { name: 'Logs' }), 'No log line matches.');
});

it('shows the timeline but no logs to a user without observability:read', async () => {
  await loginAs(page, stack, viewer);
  await page.goto(`${stack.url}/console/runs/${seeded.instanceId}`);
  await page.getByTestId('timeline').waitFor();
  await expectCount(page.getByTestId('timeline-step-charge'), 1);
  expect(await page.getByRole('heading', { name: 'Logs' }).count()).toBe(0);
});
