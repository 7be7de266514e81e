/**
 * A run queued behind its definition's concurrency limit (#15) in the console, in a real browser: the runs list
 * filters by status `queued`, the run view says why it waits, and cancelling it closes it at once.
 */
import type { Browser, Page } from 'playwright-core';
import { activeWorkflow } from '../engine-runs/harness';
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

const wf = `console-limited-${uniq()}`;
let stack: ConsoleStack;
let browser: Browser;
let admin: LoginUser;
let page: Page;
let problems: PageProblems;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startConsoleStack(), launchBrowser()]);
  admin = await createLoginUser(stack, { username: `${wf}-admin`, roles: ['admin'] });
  await activeWorkflow(stack.db, {
    workflow_id: wf,
    name: 'One at a time',
    concurrency: { limit: 1 },
    steps: [{ id: 'sleep', type: 'delay', duration: '10m' }],
  });
  ({ page, problems } = await newPage(browser));
});
afterAll(async () => {
  await page?.context().close();
  await browser?.close();
  await stack?.close();
});

describe('a queued run in the console', () => {
  it('is listed under status queued, says why it waits, and is cancelled at once', async () => {
    const start = () => stack.http.post(`/api/v1/workflow-definitions/${wf}/runs`).send({ input: {} });
    const running = await start();
    const queued = await start();
    expect([running.status, queued.status]).toEqual([201, 202]);

    await loginAs(page, stack, admin);
    await page.goto(`${stack.url}/console/runs?status=queued&definition=${wf}`);
    await expectText(page.locator('table'), queued.body.id.slice(0, 8));
    await page.goto(`${stack.url}/console/runs/${queued.body.id}`);
    await expectText(page.getByTestId('run-status'), 'queued');
    await expectText(page.getByTestId('run-queued'), 'concurrency limit');
    await screenshot(page, 'run-queued');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await expectText(page.getByTestId('run-status'), 'cancelled');
    expect((await stack.http.get(`/api/v1/workflow-instances/${queued.body.id}`)).body.status).toBe('cancelled');
    expect(problems.errors).toEqual([]);
    await stack.http.post(`/api/v1/workflow-instances/${running.body.id}/terminate`).send({});
  });
});
