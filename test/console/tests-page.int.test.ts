/**
 * The console's Tests pages in a real browser (Debian's chromium via playwright-core) over the real API, the
 * orchestrator worker and the test runner on the same queues: start a run of a test definition with a passing
 * and a failing case, watch it end failed with 1 passed / 1 failed, read the failing case's expectation (pointer,
 * expected, actual), the path, the Temporal UI link and the coverage bars; a start the API refuses shows its
 * problem. Screenshots: docs/console/tests.png, docs/console/test-run.png.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { Browser, Page } from 'playwright-core';
import { activeTask, activeWorkflow, startRunHarness, type RunHarness } from '../engine-runs/harness';
import { uniq } from '../events/harness';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller } from '../helpers/auth';
import {
  createLoginUser,
  expectAttr,
  expectCount,
  expectText,
  launchBrowser,
  loginAs,
  newPage,
  screenshot,
  type LoginUser,
  type PageProblems,
} from './browser';

jest.setTimeout(120_000);

const TEMPORAL_UI = 'http://temporal-ui.test:8233';
const p = `tests-page-${uniq()}`;
const FLOW = `${p}-pricing`;
const TEST_ID = `${p}-pricing-tests`;
const SLOW_TEST_ID = `${p}-slow-tests`;
let h: RunHarness;
let api: TestApi;
let server: Server;
let url: string;
let browser: Browser;
let admin: LoginUser;
let page: Page;
let problems: PageProblems;

beforeAll(async () => {
  h = await startRunHarness({ testRunner: true, env: { TEMPORAL_UI_URL: TEMPORAL_UI } });
  api = await createTestApi({ config: { TASK_QUEUE: h.config.taskQueue, TEMPORAL_UI_URL: TEMPORAL_UI } });
  server = createServer(api.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
  const root = await createTestCaller(api.deps, ['*'], 'console-tests');
  admin = await createLoginUser({ http: request.agent(api.app).set(root.bearer) }, { username: `${p}-admin` });

  await activeTask(h.db, { task_id: `${p}-quote`, name: 'quote', type: 'transform', config: { expression: '$' } });
  await activeWorkflow(h.db, {
    workflow_id: FLOW,
    steps: [
      { id: 'quote', type: 'task', task: `${p}-quote` },
      {
        id: 'route',
        type: 'switch',
        cases: [{ when: '{% $steps.quote.output.price > 100 %}', next: 'review' }],
        default: 'done',
      },
      { id: 'done', type: 'succeed', output: { price: '{% $steps.quote.output.price %}' } },
      { id: 'review', type: 'succeed', output: { review: true } },
    ],
  } as never);
  await h.db('testing_framework_service.test_definitions').insert({
    test_id: TEST_ID,
    version: '1.0.0',
    name: 'pricing tests',
    status: 'active',
    target_type: 'workflow',
    target_id: FLOW,
    test_cases: JSON.stringify([
      {
        case_id: 'quotes-ten',
        mocks: [{ step: 'quote', output: { price: 10 } }],
        expect: { output: { price: 10 } },
      },
      {
        case_id: 'quotes-eleven',
        mocks: [{ step: 'quote', output: { price: 11 } }],
        expect: { output: { price: 10 } },
      },
    ]),
    settings: JSON.stringify({ concurrency: 2 }),
  });
  // A case that waits 60 s of real time (time_scale 1): the run stays running until it is cancelled.
  await activeWorkflow(h.db, {
    workflow_id: `${p}-slow`,
    steps: [
      { id: 'think', type: 'delay', duration: 'PT60S' },
      { id: 'done', type: 'succeed', output: { ok: true } },
    ],
  } as never);
  await h.db('testing_framework_service.test_definitions').insert({
    test_id: SLOW_TEST_ID,
    version: '1.0.0',
    name: 'slow tests',
    status: 'active',
    target_type: 'workflow',
    target_id: `${p}-slow`,
    test_cases: JSON.stringify([
      { case_id: 'waits', time_scale: 1, case_timeout: '90s', expect: { output: { ok: true } } },
    ]),
  });
});
afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await api?.close();
  await h?.close();
});
beforeEach(async () => {
  ({ page, problems } = await newPage(browser));
});
afterEach(async () => {
  expect(problems.errors).toEqual([]);
  await page.context().close();
});

it('starts a run of a test definition and shows it failed: counts, the failed expectation, path, coverage', async () => {
  await loginAs(page, { url }, admin);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tests' }).click();
  await page.getByRole('heading', { name: 'Tests' }).waitFor();
  const select = page.getByLabel('Test definition', { exact: true });
  await expectText(select, `${TEST_ID} v1.0.0`);
  const option = await select.locator('option', { hasText: TEST_ID }).getAttribute('value');
  await select.selectOption(option!);
  await page.getByRole('button', { name: 'Start test run' }).click();

  // The run page: it ends failed, one case each way.
  await page.getByRole('heading', { name: /Test run/ }).waitFor();
  const runId = page.url().split('/').pop()!;
  await expectText(page.getByTestId('test-run-status'), 'failed');
  await expectText(page.getByRole('region', { name: 'Test run facts' }).getByTestId('test-counts'), '1 passed');
  await expectText(page.getByRole('region', { name: 'Test run facts' }).getByTestId('test-counts'), '1 failed');
  await expectText(page.getByRole('region', { name: 'Test run facts' }).getByTestId('test-counts'), 'of 2');
  expect(await page.getByRole('button', { name: 'Cancel test run' }).count()).toBe(0);

  // The failing case is open, the passing one closed.
  const wrong = page.getByTestId('case-quotes-eleven');
  const right = page.getByTestId('case-quotes-ten');
  await expectAttr(wrong, 'data-status', 'failed');
  await expectAttr(right, 'data-status', 'passed');
  expect(await wrong.evaluate((d) => d.hasAttribute('open'))).toBe(true);
  expect(await right.evaluate((d) => d.hasAttribute('open'))).toBe(false);
  const failed = wrong.getByTestId('failed-expectation');
  await expectCount(failed, 1);
  await expectText(failed.getByTestId('expectation-pointer'), '/output/price');
  expect((await failed.getByTestId('expectation-expected').textContent())?.trim()).toBe('10');
  expect((await failed.getByTestId('expectation-actual').textContent())?.trim()).toBe('11');
  await expectText(wrong.getByTestId('case-path'), 'quote');
  await expectText(wrong.getByTestId('case-path'), 'done');
  const temporal = await wrong.getByRole('link', { name: 'Open in Temporal UI' }).getAttribute('href');
  expect(temporal).toMatch(new RegExp(`^${TEMPORAL_UI}/namespaces/[^/]+/workflows/aos-test-case\\.[0-9a-f-]{36}$`));
  // The passing case opens on demand, with nothing failed.
  await right.locator('summary').click();
  await expectText(right, '2 of 2 held');
  expect(await right.getByTestId('failed-expectation').count()).toBe(0);

  // Coverage: three of four steps (review unreached), the default branch of the switch but not its case.
  const steps = page.getByRole('progressbar', { name: 'Steps' });
  await expectAttr(steps, 'aria-valuenow', '75');
  await expectText(page.getByTestId('coverage-steps'), 'Unreached: review');
  await expectAttr(page.getByRole('progressbar', { name: 'Branches' }), 'aria-valuenow', '50');
  await expectText(page.getByTestId('coverage-branches'), 'route#0');
  await right.locator('summary').click();
  await screenshot(page, 'test-run');

  // The list shows the run with its counts, what it tested and who started it.
  await page.getByRole('link', { name: 'All test runs' }).click();
  const row = page.getByTestId('test-run-row').filter({ hasText: runId.slice(0, 8) });
  await expectCount(row, 1);
  await expectText(row, 'failed');
  await expectText(row, '1 passed');
  await expectText(row, '1 failed');
  await expectText(row, `${TEST_ID} v1.0.0`);
  await expectText(row, admin.username);
  await screenshot(page, 'tests');
});

it('shows the problem when the API refuses to start a run', async () => {
  await loginAs(page, { url }, admin);
  await page.goto(`${url}/console/tests`);
  await page.getByLabel('By tag').check();
  await page.getByLabel('Tag', { exact: true }).fill(`${p}-no-such-tag`);
  await page.getByRole('button', { name: 'Start test run' }).click();
  await expectText(page.getByRole('alert'), '422');
  expect(page.url()).toBe(`${url}/console/tests`);
});

it('follows a running test run live and cancels it', async () => {
  await loginAs(page, { url }, admin);
  await page.goto(`${url}/console/tests`);
  const select = page.getByLabel('Test definition', { exact: true });
  await expectText(select, SLOW_TEST_ID);
  await select.selectOption((await select.locator('option', { hasText: SLOW_TEST_ID }).getAttribute('value'))!);
  await page.getByRole('button', { name: 'Start test run' }).click();
  await expectText(page.getByTestId('test-run-status'), 'running');
  await expectText(page.getByRole('region', { name: 'Test run facts' }), '0 of 1 cases done');
  await expectAttr(page.getByTestId('case-waits'), 'data-status', 'running');
  await expectText(page.getByRole('region', { name: 'Coverage' }), 'Once the run has ended.');
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Cancel test run' }).click();
  // The page keeps polling: the run ends cancelled, the button goes away.
  await expectText(page.getByTestId('test-run-status'), 'cancelled');
  await expectCount(page.getByRole('button', { name: 'Cancel test run' }), 0);
  await expectText(page.getByRole('region', { name: 'Test run facts' }), '1 of 1 cases done');
});
