/**
 * The web console in a real browser (Debian's chromium via playwright-core) against the real stack: login,
 * the runs list and the run view of a completed run, definitions (versions, JSON, validation errors,
 * activation), dead letters (redrive, discard), and a task form's browser-side validation under a CSP without
 * 'unsafe-eval'. Screenshots go to docs/console/*.png (docs/console.md).
 */
import type { Browser, Page } from 'playwright-core';
import type { WorkflowDefinition } from '../../common/definitions/types';
import { activeTask, activeWorkflow, eventually } from '../engine-runs/harness';
import { uniq } from '../events/harness';
import { createRunRow, insertHumanTask } from '../helpers/human-tasks';
import {
  createLoginUser,
  expectAttr,
  expectCount,
  expectText,
  expectValue,
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

const p = `console-${uniq()}`;
let stack: ConsoleStack;
let browser: Browser;
let admin: LoginUser;
let page: Page;
let problems: PageProblems;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startConsoleStack(), launchBrowser()]);
  admin = await createLoginUser(stack, { username: `${p}-admin`, roles: ['admin'], displayName: 'Ada Admin' });
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});
beforeEach(async () => {
  ({ page, problems } = await newPage(browser));
});
afterEach(async () => {
  // No uncaught error, no console error (a CSP violation would log one) on any page of the test.
  expect(problems.errors).toEqual([]);
  await page.context().close();
});

describe('serving', () => {
  it('redirects / to the console, caches hashed assets for a year, and allows no inline script nor eval', async () => {
    const root = await fetch(`${stack.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/console/');
    const html = await fetch(`${stack.url}/console/runs/anything`);
    expect(html.status).toBe(200);
    expect(html.headers.get('cache-control')).toBe('no-cache');
    const csp = html.headers.get('content-security-policy')!;
    // The form validator interprets JSON Schemas (console/src/form/validator.ts): no 'unsafe-eval' needed.
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-eval/);
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(csp).toMatch(/script-src-attr 'none'/);
    const body = await html.text();
    expect(body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const asset = body.match(/src="(\/console\/assets\/[^"]+\.js)"/)![1]!;
    const js = await fetch(`${stack.url}${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${stack.url}/console/assets/missing-abc.js`)).status).toBe(404);
    const api = await fetch(`${stack.url}/api/v1/health/live`);
    expect(api.headers.get('content-security-policy')).not.toMatch(/unsafe-eval/);
  });
});

describe('login', () => {
  it('shows an error for a bad password, and lands on the inbox with a good one', async () => {
    await page.goto(`${stack.url}/console/`);
    await page.waitForURL(/\/console\/login/);
    await page.getByLabel('Username or email').fill(admin.username);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page.getByRole('alert'), 'Invalid username or password.');
    await screenshot(page, 'login-error');

    await page.getByLabel('Password').fill(admin.password);
    // Keyboard only: Enter submits the form.
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    expect(page.url()).toMatch(/\/console\/inbox$/);
    expect(await page.getByTestId('current-user').textContent()).toBe('Ada Admin');

    // The session survives a reload (sessionStorage) and ends with "Log out".
    await page.reload();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  });

  it('sends a logged-out visitor of a deep link to the login page and back', async () => {
    await page.goto(`${stack.url}/console/definitions`);
    await page.waitForURL(/\/console\/login\?next=/);
    await page.getByLabel('Username or email').fill(admin.username);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Workflow definitions' }).waitFor();
  });
});

describe('runs', () => {
  const wf = `${p}-orders`;
  const task = `${p}-total`;
  let runId: string;

  beforeAll(async () => {
    await activeTask(stack.db, {
      task_id: task,
      type: 'transform',
      config: { expression: '{ "total": $sum($input.lines.price) }' },
    });
    const def: Partial<WorkflowDefinition> & Pick<WorkflowDefinition, 'workflow_id' | 'steps'> = {
      workflow_id: wf,
      name: 'Order fulfilment',
      steps: [
        { id: 'prepare', type: 'set', vars: { customer: '{% $input.customer %}' } },
        { id: 'total', type: 'task', task, input: { lines: '{% $input.lines %}' } },
        {
          id: 'fan_out',
          type: 'parallel',
          branches: [
            { id: 'invoice', steps: [{ id: 'bill', type: 'set', vars: { billed: true } }] },
            { id: 'shipping', steps: [{ id: 'ship', type: 'delay', duration: '10ms' }] },
          ],
        },
        {
          id: 'each_line',
          type: 'foreach',
          items: '{% $input.lines %}',
          steps: [{ id: 'pick', type: 'succeed', output: { sku: '{% $item.sku %}' } }],
        },
        { id: 'done', type: 'succeed', output: { total: '{% $steps.total.output.total %}' } },
      ],
    } as never;
    await activeWorkflow(stack.db, def);
    const started = await stack.http.post(`/api/v1/workflow-definitions/${wf}/runs`).send({
      input: {
        customer: 'ACME',
        lines: [
          { sku: 'A-1', price: 12 },
          { sku: 'B-2', price: 30 },
        ],
      },
      correlation_key: `${p}-order-1`,
    });
    expect(started.status).toBe(201);
    runId = started.body.id;
    await eventually(async () => {
      const r = await stack.http.get(`/api/v1/workflow-instances/${runId}`);
      return r.body.status === 'completed';
    }, 30_000);
  });

  it('lists runs with filters, and the run view shows every step completed', async () => {
    await loginAs(page, stack, admin);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }).click();
    await page.getByLabel('Definition').fill(wf);
    await page.getByLabel('Status').selectOption('completed');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(new RegExp(`definition=${wf}`));
    await expectCount(page.getByTestId('run-row'), 1);
    await screenshot(page, 'runs');

    await page.getByTestId('run-row').getByRole('link').first().click();
    await page.getByRole('heading', { name: /^Run / }).waitFor();
    const tree = page.getByTestId('step-tree');
    await tree.waitFor();
    for (const step of ['prepare', 'total', 'fan_out', 'bill', 'ship', 'each_line', 'pick', 'done'])
      await expectAttr(tree.getByTestId(`step-${step}`), 'data-status', 'completed');

    // A task step's executions: input, output and timings from the mirror.
    await tree.getByTestId('step-total').click();
    const detail = page.getByRole('region', { name: 'Step total' });
    await expectText(detail.getByLabel('Output of total'), '"total": 42');
    await expectText(detail.getByLabel('Input of total'), '"sku": "A-1"');
    expect(await page.getByRole('link', { name: 'Open in Temporal UI' }).getAttribute('href')).toMatch(
      /^http:\/\/temporal-ui\.test:8233\/namespaces\/.+\/workflows\//,
    );
    // Over: no live refresh, no cancel / terminate.
    expect(await page.getByRole('button', { name: 'Terminate' }).count()).toBe(0);
    await screenshot(page, 'run');
  });
});

describe('a live run', () => {
  const wf = `${p}-slow`;
  let runId: string;
  let viewer: LoginUser;

  beforeAll(async () => {
    await activeWorkflow(stack.db, {
      workflow_id: wf,
      name: 'Slow flow',
      steps: [
        { id: 'start', type: 'set', vars: { n: 1 } },
        { id: 'sleep', type: 'delay', duration: '10m' },
        { id: 'done', type: 'succeed' },
      ],
    } as never);
    viewer = await createLoginUser(stack, { username: `${p}-viewer`, roles: ['viewer'] });
    const started = await stack.http.post(`/api/v1/workflow-definitions/${wf}/runs`).send({ input: {} });
    expect(started.status).toBe(201);
    runId = started.body.id;
  });

  it('offers no cancel or terminate to a viewer', async () => {
    await loginAs(page, stack, viewer);
    await page.goto(`${stack.url}/console/runs/${runId}`);
    await expectAttr(page.getByTestId('step-sleep'), 'data-status', 'running');
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Terminate' }).count()).toBe(0);
  });

  it('shows the running step, and the terminated run without a reload (polling)', async () => {
    await loginAs(page, stack, admin);
    await page.goto(`${stack.url}/console/runs/${runId}`);
    await expectAttr(page.getByTestId('step-start'), 'data-status', 'completed');
    await expectAttr(page.getByTestId('step-sleep'), 'data-status', 'running');
    await expectAttr(page.getByTestId('step-done'), 'data-status', 'not_reached');
    await page.getByRole('button', { name: 'Cancel run' }).waitFor();
    await screenshot(page, 'run-live');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Terminate' }).click();
    await expectText(page.getByTestId('run-status'), 'terminated');
    await page.getByRole('button', { name: 'Terminate' }).waitFor({ state: 'detached' });
    expect((await stack.http.get(`/api/v1/workflow-instances/${runId}`)).body.status).toBe('terminated');
  });

  it('redrives the terminated run from its step in progress, and links the two runs', async () => {
    await loginAs(page, stack, admin);
    await page.goto(`${stack.url}/console/runs/${runId}`);
    await expectText(page.getByTestId('run-status'), 'terminated');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Redrive', exact: true }).click();
    await page.waitForURL((u) => /\/console\/runs\/[0-9a-f-]{36}$/.test(u.pathname) && !u.pathname.endsWith(runId));
    const redrivenId = page.url().split('/').pop()!;
    await expectText(page.getByTestId('lineage-origin'), runId.slice(0, 8));
    // The first step is not run again: its output is carried; the delay in progress runs again.
    await expectAttr(page.getByTestId('step-start'), 'data-status', 'completed');
    await expectAttr(page.getByTestId('step-sleep'), 'data-status', 'running');
    await page.getByTestId('lineage-origin').getByRole('link').click();
    await expectText(page.getByTestId('lineage-redriven-by'), redrivenId.slice(0, 8));
    // Redriven once: only Rerun is left.
    await page.getByRole('button', { name: 'Rerun', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Redrive', exact: true }).count()).toBe(0);
    await stack.http.post(`/api/v1/workflow-instances/${redrivenId}/terminate`).send({});
  });
});

describe('pause and resume', () => {
  const wf = `${p}-held`;
  let runId: string;

  beforeAll(async () => {
    await activeWorkflow(stack.db, {
      workflow_id: wf,
      name: 'Held flow',
      steps: [
        { id: 'first', type: 'set', vars: { n: 1 } },
        { id: 'hold', type: 'delay', duration: '10m' },
        { id: 'done', type: 'succeed' },
      ],
    } as never);
    const started = await stack.http.post(`/api/v1/workflow-definitions/${wf}/runs`).send({ input: {} });
    expect(started.status).toBe(201);
    runId = started.body.id;
  });

  it('pauses and resumes the run from its page, and the control history shows who did it', async () => {
    await loginAs(page, stack, admin);
    await page.goto(`${stack.url}/console/runs/${runId}`);
    await expectAttr(page.getByTestId('step-hold'), 'data-status', 'running');
    await page.getByRole('button', { name: 'Pause run' }).click();
    await expectText(page.getByTestId('run-status'), 'paused');
    const history = page.getByRole('table', { name: 'Control history' });
    await expectCount(history.getByTestId('control-action'), 2);
    await expectText(history.getByTestId('control-action').nth(1), 'pause');
    await expectText(history.getByTestId('control-action').nth(1), admin.username);
    await page.getByRole('button', { name: 'Resume run' }).waitFor();
    await screenshot(page, 'run-paused');
    await page.getByRole('button', { name: 'Resume run' }).click();
    await expectText(page.getByTestId('run-status'), 'running');
    await expectCount(history.getByTestId('control-action'), 3);
    await expectText(history.getByTestId('control-action').nth(2), 'resume');
    await page.getByRole('button', { name: 'Pause run' }).waitFor();
    expect((await stack.http.get(`/api/v1/workflow-instances/${runId}`)).body.status).toBe('running');
    await stack.http.post(`/api/v1/workflow-instances/${runId}/terminate`).send({});
  });
});

describe('definitions', () => {
  const wf = `${p}-approvals`;
  const doc = (version: string) => ({
    workflow_id: wf,
    name: 'Approval flow',
    version,
    steps: [{ id: 'done', type: 'succeed', output: { ok: true } }],
  });

  beforeAll(async () => {
    await activeWorkflow(stack.db, doc('1.0.0') as never);
    const res = await stack.http.post(`/api/v1/workflow-definitions/${wf}/versions`).send(doc('1.1.0'));
    expect(res.status).toBe(201);
  });

  it('shows versions, the JSON with validation errors, and activates a draft', async () => {
    await loginAs(page, stack, admin);
    await page.goto(`${stack.url}/console/definitions?search=${encodeURIComponent('Approval flow')}`);
    const row = page.getByTestId('definition-row').filter({ hasText: wf });
    await expectText(row, 'v1.1.0');
    await row.getByRole('link', { name: wf }).click();

    await expectText(page.getByTestId('version-1.0.0'), 'active');
    await expectText(page.getByTestId('version-1.1.0'), 'draft');
    // The newest version is shown: a draft, editable. A broken edit shows the API's pointers.
    const json = page.getByLabel('Definition JSON');
    await expectValue(json, '"version": "1.1.0"');
    const broken = {
      ...doc('1.1.0'),
      steps: [
        { id: 'done', type: 'succeed' },
        { id: 'done', type: 'nope' },
      ],
    };
    await json.fill(JSON.stringify(broken, null, 2));
    await page.getByRole('button', { name: 'Save draft' }).click();
    const errors = page.getByRole('alert', { name: 'Validation errors' });
    await expectText(errors, '/body/steps/1');
    await screenshot(page, 'definition-errors');

    await json.fill(JSON.stringify(doc('1.1.0'), null, 2));
    await page.getByRole('button', { name: 'Validate' }).click();
    await expectText(page.getByRole('status'), 'The definition is valid.');

    await page.getByRole('button', { name: 'Activate v1.1.0' }).click();
    await expectText(page.getByRole('status'), 'Version 1.1.0 activated.');
    await expectText(page.getByTestId('version-1.1.0'), 'active');
    await page.getByRole('button', { name: 'Deprecate v1.0.0' }).click();
    await expectText(page.getByTestId('version-1.0.0'), 'deprecated');
    const versions = await stack.http.get(`/api/v1/workflow-definitions/${wf}/versions`);
    expect(versions.body.items.map((v: { version: string; status: string }) => [v.version, v.status])).toEqual([
      ['1.0.0', 'deprecated'],
      ['1.1.0', 'active'],
    ]);
    await screenshot(page, 'definition');
  });
});

describe('events and dead letters', () => {
  const strict = `${p}-strict`;
  const pattern = `${p}.order.placed`;
  let letters: Array<{ id: string; event_id: string }>;

  beforeAll(async () => {
    // A trigger whose input mapping misses the required field: each event is dead-lettered by the router.
    await activeWorkflow(stack.db, {
      workflow_id: strict,
      steps: [{ id: 'done', type: 'succeed', output: '{% $input %}' }],
      input_schema: { type: 'object', required: ['orderId'] },
    } as never);
    const trg = await stack.http.post('/api/v1/triggers').send({
      workflowDefinitionId: strict,
      eventPattern: pattern,
      triggerType: 'START',
      inputMapping: { wrong: 'payload.id' },
    });
    expect(trg.status).toBe(201);
    const ids: string[] = [];
    for (const id of ['o-1', 'o-2']) {
      const ev = await stack.http.post('/api/v1/events').send({ pattern, payload: { id } });
      expect(ev.status).toBe(202);
      ids.push(ev.body.eventId);
    }
    letters = await eventually(async () => {
      const found = await Promise.all(
        ids.map(
          async (eventId) => (await stack.http.get('/api/v1/dead-letters').query({ event_id: eventId })).body.items[0],
        ),
      );
      return found.every(Boolean) ? found : undefined;
    }, 30_000);
    // The cause is fixed: a redrive now starts the run.
    await stack.http.patch(`/api/v1/triggers/${trg.body.id}`).send({ inputMapping: { orderId: 'payload.id' } });
  });

  it('lists events by pattern', async () => {
    await loginAs(page, stack, admin);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Events' }).click();
    await page.getByLabel('Pattern').fill(pattern);
    await page.getByRole('button', { name: 'Filter' }).click();
    await expectCount(page.getByTestId('event-row'), 2);
    await page.getByTestId('event-row').first().getByRole('button', { name: 'Show' }).click();
    await expectText(page.getByTestId('event-row').first(), '"payload"');
    await screenshot(page, 'events');
  });

  it('redrives one dead letter and discards the other', async () => {
    await loginAs(page, stack, admin);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dead letters' }).click();
    const [redrive, discard] = letters;
    const rowOf = (id: string) => page.locator(`[data-testid="dead-letter-row"][data-id="${id}"]`);
    await rowOf(redrive!.id).waitFor();
    await rowOf(discard!.id).waitFor();
    await screenshot(page, 'dead-letters');

    await rowOf(redrive!.id).getByRole('button', { name: 'Redrive' }).click();
    await expectText(page.getByRole('status'), 'Dead letter redriven');
    await rowOf(redrive!.id).waitFor({ state: 'detached' });
    await rowOf(discard!.id).getByRole('button', { name: 'Discard' }).click();
    await expectText(page.getByRole('status'), 'Dead letter discarded.');
    await rowOf(discard!.id).waitFor({ state: 'detached' });

    const status = async (id: string) => (await stack.http.get(`/api/v1/dead-letters/${id}`)).body.status;
    expect(await status(redrive!.id)).toBe('redriven');
    expect(await status(discard!.id)).toBe('discarded');
    // The redriven event started its run.
    await eventually(async () => {
      const runs = await stack.http.get('/api/v1/workflow-instances').query({ definition: strict });
      return runs.body.items.length === 1;
    }, 30_000);

    await page.getByLabel('Status').selectOption('discarded');
    await rowOf(discard!.id).waitFor();
  });
});

describe('a task form', () => {
  let taskId: string;

  beforeAll(async () => {
    // A task row (no run behind it: the submission's answer is played by the test) assigned to the admin.
    const run = await createRunRow(stack.db, `${p}-form`);
    taskId = await insertHumanTask(stack.db, {
      workflowInstanceId: run.instanceId,
      assignee: admin.username,
      title: 'Check the order',
      prefill: { quantity: 2 },
      form: {
        componentId: `${p}-order-check`,
        version: '1.0.0',
        name: 'Order check',
        schema: {
          type: 'object',
          required: ['note', 'outcome'],
          properties: {
            quantity: { type: 'integer', minimum: 1 },
            outcome: { type: 'string', enum: ['ship', 'hold'] },
            note: { type: 'string', minLength: 3 },
          },
        },
        layout: { fields: { quantity: { label: 'Quantity' }, outcome: { label: 'Outcome' }, note: { label: 'Note' } } },
        actions: [{ id: 'submit', label: 'Send', style: 'primary' }],
      },
    });
  });

  it('validates in the browser without eval (no CSP violation), and shows the server’s 422 on its field', async () => {
    await loginAs(page, stack, admin);
    await page.goto(`${stack.url}/console/tasks/${taskId}`);
    await page.getByLabel('Quantity').fill('0');
    await page.getByRole('button', { name: 'Send' }).click();
    // Each error on its field (rjsf: #root_<field>__error), nothing sent.
    await expectText(page.locator('#root_quantity__error'), 'must be >= 1');
    await expectText(page.locator('#root_outcome__error'), 'is required');
    await expectText(page.locator('#root_note__error'), 'is required');

    await page.getByLabel('Quantity').fill('3');
    await page.getByLabel('Outcome').selectOption('ship');
    await page.getByLabel('Note').fill('ok');
    await page.getByRole('button', { name: 'Send' }).click();
    await expectText(page.locator('#root_note__error'), 'must NOT have fewer than 3 characters');
    await expectCount(page.locator('#root_quantity__error li'), 0);

    // Valid in the browser: sent; the server's 422 lands on the field its pointer names.
    let sent: unknown;
    await page.route(`**/api/v1/human-tasks/${taskId}/complete`, async (route) => {
      sent = route.request().postDataJSON();
      await route.fulfill({
        status: 422,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          type: 'about:blank',
          title: 'Unprocessable Entity',
          status: 422,
          errors: [{ pointer: '/body/data/note', message: 'is not a note the server likes' }],
        }),
      });
    });
    await page.getByLabel('Note').fill('all good');
    await page.getByRole('button', { name: 'Send' }).click();
    await expectText(page.locator('#root_note__error'), 'is not a note the server likes');
    expect(sent).toEqual({ action: 'submit', data: { quantity: 3, outcome: 'ship', note: 'all good' } });
  });
});
