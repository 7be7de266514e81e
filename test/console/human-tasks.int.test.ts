/**
 * Human tasks in the web console, end to end in a real browser against the real stack: an event starts the
 * seeded expense-approval workflow, which stops at a human task offered to the `approvers` role; the task is in
 * an approver's inbox and not in an unrelated user's; an invalid submission shows the field error and the run
 * keeps waiting; a valid one completes the run, whose view then shows every step it took completed. And an
 * escalation after a short time moves a task from one role's inbox to another's.
 */
import type { Browser, Page } from 'playwright-core';
import { seed } from '../../db/seeds';
import { activeWorkflow, eventually } from '../engine-runs/harness';
import { uniq } from '../events/harness';
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

const p = `ht-${uniq()}`;
let stack: ConsoleStack;
let browser: Browser;
let approver: LoginUser;
let outsider: LoginUser;
let manager: LoginUser;
let admin: LoginUser;
let page: Page;
let problems: PageProblems;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startConsoleStack(), launchBrowser()]);
  await seed(stack.db);
  approver = await createLoginUser(stack, { username: `${p}-approver`, roles: ['approvers'], displayName: 'Amy' });
  outsider = await createLoginUser(stack, { username: `${p}-outsider`, roles: ['viewer'] });
  manager = await createLoginUser(stack, { username: `${p}-manager`, roles: ['finance-managers'] });
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

/** The run's status as the API reports it. */
async function runStatus(id: string): Promise<string> {
  return (await stack.http.get(`/api/v1/workflow-instances/${id}`)).body.status as string;
}

/** The open human task of `workflowId` titled `title` (as the admin API lists it), once it exists. */
async function openTask(workflowId: string, title: string): Promise<{ id: string; workflow_instance_id: string }> {
  return eventually(async () => {
    const res = await stack.http.get('/api/v1/human-tasks').query({ scope: 'all', workflow_id: workflowId });
    return (res.body.items as Array<{ id: string; title: string; workflow_instance_id: string }>).find(
      (t) => t.title === title,
    );
  }, 30_000);
}

/** Opens the inbox and waits for its list to load (a row or the empty note). */
async function inbox(): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
  await page.getByRole('heading', { name: 'Inbox' }).waitFor();
  await page.locator('[data-testid="task-row"], p.empty').first().waitFor();
}

describe('an approval started by an event', () => {
  const expenseId = `${p}-exp`;
  const title = `Expense ${expenseId}: 420 EUR for Ada Lovelace`;
  let task: { id: string; workflow_instance_id: string };

  beforeAll(async () => {
    await stack.http
      .post('/api/v1/events')
      .send({
        pattern: 'expense.submitted',
        payload: { expenseId, employee: 'Ada Lovelace', amount: 420, description: 'Conference ticket' },
      })
      .expect(202);
    task = await openTask('expense-approval', title);
  });

  it('is not in the inbox of a user it is not offered to', async () => {
    await loginAs(page, stack, outsider);
    await inbox();
    await expectCount(page.getByRole('link', { name: title }), 0);
    await page.goto(`${stack.url}/console/tasks/${task.id}`);
    await expectText(page.locator('main'), 'not found');
  });

  it('shows an approver only the sections their role opens, and says which permission another page needs', async () => {
    await loginAs(page, stack, approver);
    await inbox();
    const nav = page.getByRole('navigation', { name: 'Main' }).getByRole('link');
    expect(await nav.allTextContents()).toEqual(['Inbox', 'Runs', 'Definitions', 'Events']);
    await page.goto(`${stack.url}/console/dead-letters`);
    await expectText(page.getByTestId('not-permitted'), 'dead_letters:read');
    await page.getByRole('link', { name: 'Go to a page you can use' }).click();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
  });

  it('is in the approver’s inbox; an invalid submission shows the field error, a valid one completes the run', async () => {
    await loginAs(page, stack, approver);
    await inbox();
    await page.getByRole('link', { name: title }).waitFor();
    await screenshot(page, 'inbox');

    await page.getByRole('link', { name: title }).click();
    await page.getByRole('heading', { name: title }).waitFor();
    // Prefilled from the event, read-only.
    await expectText(page.getByTestId('task-assignee'), 'approvers');
    expect(await page.getByLabel('Amount claimed (EUR)').inputValue()).toBe('420');
    expect(await page.getByLabel('Amount claimed (EUR)').isEditable()).toBe(false);
    await page.getByRole('button', { name: 'Claim' }).click();
    await expectText(page.getByTestId('task-assignee'), approver.username);

    // Rejecting needs a note: the error sits on the Note field, nothing reaches the run.
    await page.getByRole('button', { name: 'Reject' }).click();
    await expectText(page.locator('.rjsf-field-string:has(textarea[id$="decision_note"])'), 'is required for “Reject”');
    // The summary above the form names the field by its label and links to it.
    await expectText(page.locator('.panel.errors'), 'Note: is required for “Reject”');
    await screenshot(page, 'task-errors');
    expect(await runStatus(task.workflow_instance_id)).toBe('waiting');
    const row = await stack.http.get(`/api/v1/human-tasks/${task.id}`);
    expect(row.body).toMatchObject({ status: 'waiting', submissions: [] });

    await page.getByLabel('Approved amount (EUR)').fill('400');
    await page.getByLabel('Note').fill('Capped at the conference budget');
    await page.getByRole('button', { name: 'Approve' }).click();
    await expectText(page.getByRole('status'), 'Submitted');
    await screenshot(page, 'task-done');
    await eventually(async () => ((await runStatus(task.workflow_instance_id)) === 'completed' ? true : undefined));
    const run = await stack.http.get(`/api/v1/workflow-instances/${task.workflow_instance_id}`);
    expect(run.body.output).toEqual({
      approved: true,
      amount: 400,
      note: 'Capped at the conference budget',
      by: approver.username,
    });

    // The run view: every step the run took is completed, the policy's other branch was never reached.
    await page.goto(`${stack.url}/console/runs/${task.workflow_instance_id}`);
    const tree = page.getByTestId('step-tree');
    await tree.waitFor();
    for (const step of ['policy', 'review', 'announce', 'done'])
      await expectAttr(tree.getByTestId(`step-${step}`), 'data-status', 'completed');
    await expectAttr(tree.getByTestId('step-auto-approve'), 'data-status', 'not_reached');
    // Its events: the one that started it, and the decision it emitted.
    const events = page.getByTestId('run-event');
    await expectText(events.filter({ hasText: 'expense.submitted' }), 'started the run');
    await expectText(events.filter({ hasText: 'expense.decided' }), 'emitted by the run');
    await screenshot(page, 'run-approval');
  });
});

describe('an escalation', () => {
  const wf = `${p}-urgent`;
  const title = `Urgent review ${p}`;

  beforeAll(async () => {
    await activeWorkflow(stack.db, {
      workflow_id: wf,
      name: 'Urgent review',
      steps: [
        {
          id: 'review',
          type: 'human_task',
          form: { component_id: 'expense-approval' },
          title,
          candidate_roles: ['approvers'],
          due: '2s',
          escalations: [{ after: '1s', from: 'due', assign: { role: 'finance-managers' } }],
        },
      ],
    } as never);
    await stack.http.post(`/api/v1/workflow-definitions/${wf}/runs`).send({ input: {} }).expect(201);
  });

  it('moves the task from the approvers’ inboxes to the finance managers’ a second after its due time', async () => {
    const task = await openTask(wf, title);
    await loginAs(page, stack, manager);
    // Offered to approvers first: not a manager's task yet (unless the 3 s have already passed).
    const before = await stack.http.get(`/api/v1/human-tasks/${task.id}`);
    if ((before.body.candidate_roles as string[]).includes('approvers')) {
      await inbox();
      await expectCount(page.getByRole('link', { name: title }), 0);
    }
    await eventually(async () => {
      await page.reload();
      await page.locator('[data-testid="task-row"], p.empty').first().waitFor();
      return (await page.getByRole('link', { name: title }).count()) === 1 ? true : undefined;
    }, 30_000);
    const after = await stack.http.get(`/api/v1/human-tasks/${task.id}`);
    expect(after.body).toMatchObject({ status: 'waiting', assignee: null, candidate_roles: ['finance-managers'] });
    expect((after.body.history as Array<{ kind: string }>).map((e) => e.kind)).toContain('escalated');

    await page.getByRole('link', { name: title }).click();
    await expectText(page.getByTestId('task-assignee'), 'finance-managers');
    await expectText(page.getByRole('region', { name: 'History' }), 'escalated');
    await screenshot(page, 'task-escalated');
  });
});

describe('an administrator', () => {
  const expenseId = `${p}-exp-admin`;
  const title = `Expense ${expenseId}: 99 EUR for Alan Turing`;
  let task: { id: string; workflow_instance_id: string };

  beforeAll(async () => {
    await stack.http
      .post('/api/v1/events')
      .send({ pattern: 'expense.submitted', payload: { expenseId, employee: 'Alan Turing', amount: 99 } })
      .expect(202);
    task = await openTask('expense-approval', title);
  });

  it('filters every task by definition and due time, and reassigns one (an unknown user is shown on the field)', async () => {
    await loginAs(page, stack, admin);
    await page.goto(`${stack.url}/console/inbox?scope=all`);
    await page.getByLabel('Definition').fill('expense-approval');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('link', { name: title }).waitFor();
    expect(page.url()).toContain('workflow_id=expense-approval');
    // Due in a day: not due before the next hour, and no task of another definition.
    await page.getByLabel('Due before').fill(new Date(Date.now() + 3_600_000).toISOString().slice(0, 16));
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('[data-testid="task-row"], p.empty').first().waitFor();
    await expectCount(page.getByRole('link', { name: title }), 0);
    // A hand-edited URL with a due time that is no date lists as if unfiltered instead of failing the page.
    await page.goto(`${stack.url}/console/inbox?scope=all&workflow_id=expense-approval&due_before=soon`);
    await page.getByRole('link', { name: title }).waitFor();
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Definition').fill(`${p}-no-such-workflow`);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('p.empty').waitFor();
    await expectCount(page.getByTestId('task-row'), 0);

    // Soonest due first: the URL keeps the order, the Due column says it sorts, and the due times ascend.
    await page.goto(`${stack.url}/console/inbox?scope=all`);
    await page.getByLabel('Order').selectOption('due');
    await expectAttr(page.getByRole('columnheader', { name: 'Due' }), 'aria-sort', 'ascending');
    expect(page.url()).toContain('sort=due');
    await page.getByTestId('task-row').first().waitFor();
    const dues = await page
      .getByTestId('task-row')
      .evaluateAll((rows) =>
        rows.map((r) => r.querySelectorAll('td')[3]?.querySelector('time')?.getAttribute('datetime') ?? null),
      );
    const timed = dues.filter((d): d is string => d !== null).map((d) => Date.parse(d));
    expect(timed.length).toBeGreaterThan(0);
    expect(timed).toEqual([...timed].sort((x, y) => x - y));
    expect(dues.slice(timed.length).every((d) => d === null)).toBe(true); // no due time: last

    await page.goto(`${stack.url}/console/tasks/${task.id}`);
    await page.getByRole('heading', { name: title }).waitFor();
    await page.getByText('Reassign', { exact: true }).first().click();
    // Typing part of a name offers the matching users (a datalist the browser shows as a combobox).
    await page.getByLabel('Assignee').fill(`${p}-mana`);
    await expectCount(page.locator(`#reassign-assignee-options option[value="${manager.username}"]`), 1);
    // In a list, a suggestion completes only the entry being typed.
    await page.getByLabel('Candidate roles').fill('approvers, finance-man');
    await expectCount(page.locator('#reassign-candidate_roles-options option[value="approvers, finance-managers"]'), 1);
    await page.getByLabel('Candidate roles').fill('approvers, admin');
    await page.getByLabel('Assignee').fill(`${p}-nobody`);
    await page.getByRole('button', { name: 'Reassign' }).click();
    await expectText(page.locator('#reassign-assignee-error'), `${p}-nobody`);
    expect(await page.getByLabel('Assignee').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'task-reassign');
    expect((await stack.http.get(`/api/v1/human-tasks/${task.id}`)).body.assignee).toBeNull();

    await page.getByLabel('Assignee').fill(manager.username);
    await page.getByRole('button', { name: 'Reassign' }).click();
    await expectText(page.getByRole('status'), 'Task reassigned.');
    await expectText(page.getByTestId('task-assignee'), manager.username);
    const after = await stack.http.get(`/api/v1/human-tasks/${task.id}`);
    expect(after.body).toMatchObject({ status: 'waiting', assignee: manager.username });
    expect(after.body.history.at(-1)).toMatchObject({ kind: 'assigned', actor: admin.username });

    // The reassigned task is the manager's now.
    await page.context().close();
    ({ page, problems } = await newPage(browser));
    await loginAs(page, stack, manager);
    await page.goto(`${stack.url}/console/inbox?scope=mine`);
    await page.getByRole('link', { name: title }).waitFor();
  });

  it('does not offer reassignment to a user without human_tasks:assign', async () => {
    await loginAs(page, stack, approver);
    await page.goto(`${stack.url}/console/tasks/${task.id}`);
    await page.getByRole('heading', { name: title }).waitFor();
    await expectCount(page.getByRole('heading', { name: 'Reassign' }), 0);
  });
});
