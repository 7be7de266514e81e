/**
 * The console for people who work without a mouse or with assistive technology, in a real browser against the
 * real stack:
 * - a human task worked from the login to the accepted submission with the keyboard alone (Tab, Enter, Space and
 *   typing), every control it reaches showing a visible focus indicator, and the error summary's links moving
 *   the focus to the field at fault;
 * - every page checked by axe-core against the WCAG 2.1 A and AA rules (labelled fields, named buttons and
 *   links, contrast, landmarks, valid ARIA): no violation.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Locator, Page } from 'playwright-core';
import { seed } from '../../db/seeds';
import { eventually } from '../engine-runs/harness';
import { uniq } from '../events/harness';
import {
  createLoginUser,
  expectText,
  launchBrowser,
  loginAs,
  newPage,
  startConsoleStack,
  type ConsoleStack,
  type LoginUser,
  type PageProblems,
} from './browser';

jest.setTimeout(180_000);

const p = `a11y-${uniq()}`;
let stack: ConsoleStack;
let browser: Browser;
let approver: LoginUser;
let admin: LoginUser;
let page: Page;
let problems: PageProblems;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startConsoleStack(), launchBrowser()]);
  await seed(stack.db);
  approver = await createLoginUser(stack, { username: `${p}-approver`, roles: ['approvers'], displayName: 'Kim' });
  admin = await createLoginUser(stack, { username: `${p}-admin`, roles: ['admin'] });
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

/** Publishes an expense over the policy limit and waits for its open task (as the admin API lists it). */
async function expenseTask(expenseId: string): Promise<{ id: string; workflow_instance_id: string; title: string }> {
  await stack.http
    .post('/api/v1/events')
    .send({
      pattern: 'expense.submitted',
      payload: { expenseId, employee: 'Grace Hopper', amount: 180, description: 'Train to the customer' },
    })
    .expect(202);
  const title = `Expense ${expenseId}: 180 EUR for Grace Hopper`;
  const task = await eventually(async () => {
    const res = await stack.http.get('/api/v1/human-tasks').query({ scope: 'all', workflow_id: 'expense-approval' });
    return (res.body.items as Array<{ id: string; title: string; workflow_instance_id: string }>).find(
      (t) => t.title === title,
    );
  }, 30_000);
  return { ...task, title };
}

/** The little of the DOM these checks read (the test compiles without the DOM library). */
interface Focusable {
  ownerDocument: {
    activeElement: unknown;
    defaultView: {
      getComputedStyle(el: unknown): { outlineStyle: string; outlineWidth: string; boxShadow: string };
    };
  };
}

/** Whether `target` holds the keyboard focus. */
function focused(target: Locator): Promise<boolean> {
  return target.evaluate((el) => el === (el as unknown as Focusable).ownerDocument.activeElement);
}

/**
 * Presses Tab until `target` has the focus (fails after `max` presses: it cannot be reached by keyboard), then
 * checks that the focus is visible on it: an outline or a box shadow drawn by the page's styles.
 */
async function tabTo(target: Locator, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await focused(target)) {
      const ring = await target.evaluate((el) => {
        const s = (el as unknown as Focusable).ownerDocument.defaultView.getComputedStyle(el);
        return {
          outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
          shadow: s.boxShadow !== 'none',
        };
      });
      if (!ring.outline && !ring.shadow) throw new Error(`${target} has the focus but shows no focus indicator`);
      return;
    }
  }
  throw new Error(`${target} was not reached after ${max} presses of Tab`);
}

describe('the keyboard alone', () => {
  it('logs in, opens a task from the inbox, claims it, is led to the field at fault, and submits it', async () => {
    const task = await expenseTask(`${p}-kbd`);

    await page.goto(`${stack.url}/console/`);
    // The username field has the focus on arrival.
    const username = page.getByLabel('Username or email');
    await username.waitFor();
    expect(await focused(username)).toBe(true);
    await page.keyboard.type(approver.username);
    await tabTo(page.getByLabel('Password'));
    await page.keyboard.type(approver.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();

    // The skip link comes first and moves the focus past the navigation.
    await tabTo(page.getByRole('link', { name: 'Skip to content' }), 3);
    await page.keyboard.press('Enter');
    const link = page.getByRole('link', { name: task.title });
    await link.waitFor();
    await tabTo(link);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: task.title }).waitFor();

    const claim = page.getByRole('button', { name: 'Claim' });
    await tabTo(claim);
    await page.keyboard.press('Enter');
    await expectText(page.getByTestId('task-assignee'), approver.username);

    // Reject needs a note: Space on the button shows the summary; its link takes the focus to the Note field.
    const reject = page.getByRole('button', { name: 'Reject' });
    await tabTo(reject, 60);
    await page.keyboard.press('Space');
    const summary = page.locator('.panel.errors');
    await expectText(summary, 'Note: is required for “Reject”');
    const toNote = summary.getByRole('link', { name: 'Note' });
    await page.locator('body').focus();
    await tabTo(toNote, 60);
    await page.keyboard.press('Enter');
    const note = page.getByLabel('Note');
    await eventually(async () => ((await focused(note)) ? true : undefined), 5_000);
    await page.keyboard.type('Not a customer visit');
    await tabTo(reject, 10);
    await page.keyboard.press('Enter');
    await expectText(page.getByRole('status'), 'Submitted');

    await eventually(async () => {
      const run = await stack.http.get(`/api/v1/workflow-instances/${task.workflow_instance_id}`);
      return run.body.status === 'completed' ? run.body : undefined;
    }, 30_000).then((run) =>
      expect(run.output).toMatchObject({ approved: false, note: 'Not a customer visit', by: approver.username }),
    );
  });
});

/** The WCAG 2.1 A and AA violations axe-core finds on the page as it is now, one line each. */
async function violations(): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ')}`),
  );
}

/** Opens a console path and waits until `ready` is there (the page's data has loaded). */
async function open(path: string, ready: Locator): Promise<void> {
  await page.goto(`${stack.url}/console${path}`);
  await ready.first().waitFor();
}

describe('axe-core, WCAG 2.1 A and AA', () => {
  it('sees the console page it checks: an unlabelled field added to the page is a violation', async () => {
    await page.goto(`${stack.url}/console/`);
    await page.getByLabel('Username or email').waitFor();
    await page.locator('form').evaluate((form) => {
      const doc = (form as unknown as { ownerDocument: { createElement(tag: string): unknown } }).ownerDocument;
      (form as unknown as { append(el: unknown): void }).append(doc.createElement('input'));
    });
    expect((await violations()).some((v) => v.startsWith('label (critical)'))).toBe(true);
  });

  it('finds no violation on the login page, with and without an error', async () => {
    await page.goto(`${stack.url}/console/`);
    await page.getByLabel('Username or email').waitFor();
    expect(await violations()).toEqual([]);
    await page.getByLabel('Username or email').fill(admin.username);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await violations()).toEqual([]);
  });

  it('finds no violation on a task: open, with field errors, and done', async () => {
    const task = await expenseTask(`${p}-axe`);
    await loginAs(page, stack, approver);
    expect(await violations()).toEqual([]);
    await open(`/tasks/${task.id}`, page.getByRole('button', { name: 'Claim' }));
    expect(await violations()).toEqual([]);
    await page.getByRole('button', { name: 'Claim' }).click();
    await expectText(page.getByTestId('task-assignee'), approver.username);
    await page.getByLabel('Approved amount (EUR)').fill('-5');
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.locator('.panel.errors').waitFor();
    expect(await violations()).toEqual([]);
    await page.getByLabel('Approved amount (EUR)').fill('150');
    await page.getByRole('button', { name: 'Approve' }).click();
    await expectText(page.getByRole('status'), 'Submitted');
    expect(await violations()).toEqual([]);

    // The run the task belonged to, with its step tree and a step selected.
    await eventually(async () => {
      const run = await stack.http.get(`/api/v1/workflow-instances/${task.workflow_instance_id}`);
      return run.body.status === 'completed' ? true : undefined;
    }, 30_000);
    expect(problems.errors).toEqual([]);
    await page.context().close();
    ({ page, problems } = await newPage(browser));
    await loginAs(page, stack, admin);
    await open(
      `/runs/${task.workflow_instance_id}`,
      page.locator('[data-testid="step-done"][data-status="completed"]'),
    );
    await page.getByTestId('step-review').click();
    expect(await violations()).toEqual([]);
  });

  it('finds no violation on a task an administrator reassigns, with the refusal on its field', async () => {
    const task = await expenseTask(`${p}-axe-assign`);
    await loginAs(page, stack, admin);
    await open(`/tasks/${task.id}`, page.getByRole('heading', { name: 'Reassign' }));
    await page.getByRole('heading', { name: 'Reassign' }).click();
    await page.getByLabel('Assignee').fill(`${p}-nobody`);
    await page.getByRole('button', { name: 'Reassign' }).click();
    await page.locator('#reassign-assignee-error').waitFor();
    expect(await violations()).toEqual([]);
    // With suggestions offered for the entry being typed.
    await page.getByLabel('Candidate users').fill(admin.username.slice(0, 6));
    await page.locator('#reassign-candidate_users-options option').first().waitFor({ state: 'attached' });
    expect(await violations()).toEqual([]);
  });

  it('finds no violation on a section the user’s roles do not open', async () => {
    await loginAs(page, stack, approver);
    await open('/dead-letters', page.getByTestId('not-permitted'));
    expect(await violations()).toEqual([]);
  });

  it('finds no violation on the lists, a definition and a form with its preview', async () => {
    await loginAs(page, stack, admin);
    const pages: Array<[string, Locator]> = [
      ['/runs', page.getByTestId('run-row')],
      ['/definitions', page.getByRole('link', { name: 'expense-approval' })],
      ['/definitions/expense-approval', page.getByLabel('Definition JSON')],
      ['/forms', page.getByRole('link', { name: 'expense-approval' })],
      ['/forms/expense-approval', page.getByRole('region', { name: 'Preview' }).getByLabel('Note')],
      ['/schedules', page.getByRole('heading', { name: 'Schedules' })],
      ['/tests', page.getByRole('heading', { name: 'Tests' })],
      ['/events', page.getByTestId('event-row')],
      ['/dead-letters', page.getByRole('heading', { name: 'Dead letters' })],
      ['/inbox?scope=all', page.getByRole('heading', { name: 'Inbox' })],
      ['/inbox?scope=all&sort=due', page.getByRole('columnheader', { name: 'Due' })],
    ];
    const found: Record<string, string[]> = {};
    for (const [path, ready] of pages) {
      await open(path, ready);
      found[path] = await violations();
    }
    expect(found).toEqual(Object.fromEntries(pages.map(([path]) => [path, []])));
  });
});
