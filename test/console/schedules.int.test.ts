/**
 * The Schedules page in a real browser against the real stack: a schedule's row with its spec and policy, pause
 * and unpause, and trigger now starting a run (trigger.kind "schedule"). Screenshot: docs/console/schedules.png.
 */
import type { Browser, Page } from 'playwright-core';
import { activeWorkflow, eventually } from '../engine-runs/harness';
import { uniq } from '../events/harness';
import {
  createLoginUser,
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

const p = `sched-${uniq()}`;
let stack: ConsoleStack;
let browser: Browser;
let admin: LoginUser;
let page: Page;
let problems: PageProblems;
const created: string[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startConsoleStack(), launchBrowser()]);
  admin = await createLoginUser(stack, { username: `${p}-admin`, roles: ['admin'], displayName: 'Ada Admin' });
  await activeWorkflow(stack.db, {
    workflow_id: `${p}-report`,
    name: 'Nightly report',
    steps: [{ id: 'done', type: 'succeed', output: '{% $input %}' }],
  } as never);
});
afterAll(async () => {
  for (const id of created) await stack?.http.delete(`/api/v1/schedules/${id}`);
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

it('lists schedules; pause, unpause and trigger now act on Temporal', async () => {
  const make = async (scheduleId: string, body: object) => {
    const res = await stack.http.post('/api/v1/schedules').send({ schedule_id: scheduleId, ...body });
    expect(res.status).toBe(201);
    created.push(scheduleId);
    return res.body as { id: string; schedule_id: string };
  };
  const nightly = await make(`${p}-nightly`, {
    workflow_id: `${p}-report`,
    description: 'The nightly sales report',
    spec: { cron: '30 2 * * *', time_zone: 'Europe/Berlin' },
    input: { day: '{% $substring($scheduledTime, 0, 10) %}' },
    policies: { overlap: 'skip' },
  });
  await make(`${p}-hourly`, {
    workflow_id: `${p}-report`,
    spec: { intervals: [{ every: '1h', offset: '5m' }] },
    policies: { overlap: 'buffer_one' },
    paused: true,
    note: 'Waiting for the new warehouse',
  });

  await loginAs(page, stack, admin);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Schedules' }).click();
  const row = page.locator(`[data-testid="schedule-row"][data-id="${nightly.id}"]`);
  await row.waitFor();
  await expectText(row, '30 2 * * * (Europe/Berlin)');
  await expectText(page.getByTestId('schedule-row').first(), 'Waiting for the new warehouse');
  await screenshot(page, 'schedules');

  await row.getByRole('button', { name: 'Pause' }).click();
  await expectText(page.getByRole('status'), `Schedule ${nightly.schedule_id} paused.`);
  await expectText(row, 'paused');
  expect((await stack.http.get(`/api/v1/schedules/${nightly.id}`)).body.info.paused).toBe(true);
  await row.getByRole('button', { name: 'Unpause' }).click();
  await expectText(page.getByRole('status'), `Schedule ${nightly.schedule_id} unpaused.`);

  await row.getByRole('button', { name: 'Trigger now' }).click();
  await expectText(page.getByRole('status'), 'triggered');
  const run = await eventually(async () => {
    const runs = await stack.http.get('/api/v1/workflow-instances').query({ definition: `${p}-report` });
    return runs.body.items[0] as { trigger: { kind: string; scheduleId: string }; input: { day: string } } | undefined;
  }, 30_000);
  expect(run.trigger).toMatchObject({ kind: 'schedule', scheduleId: nightly.schedule_id });
  expect(run.input.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
});
