/**
 * The console's Forms pages in a real browser against the real stack: a UI component's versions, its JSON
 * validated and saved through the API (422 listed by pointer, nothing stored), a live preview that renders the
 * editor's JSON as a task would and validates a submission without sending it, and activation.
 */
import type { Browser, Page } from 'playwright-core';
import { uniq } from '../events/harness';
import {
  createLoginUser,
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

const p = `forms-${uniq()}`;
const componentId = `${p}-leave`;
let stack: ConsoleStack;
let browser: Browser;
let admin: LoginUser;
let viewer: LoginUser;
let page: Page;
let problems: PageProblems;

/** The parts of a UI component document the test edits. */
interface FormDoc {
  component_id: string;
  version: string;
  name: string;
  form_schema: { type: string; required: string[]; properties: Record<string, Record<string, unknown>> };
  layout: {
    sections: Array<{ title: string; fields: string[] }>;
    fields: Record<string, Record<string, unknown>>;
  };
  actions: Array<{ id: string; label: string; style?: string; requires?: string[] }>;
}

/** A leave request form: the draft the test starts from. */
const leaveForm: FormDoc = {
  component_id: componentId,
  version: '1.0.0',
  name: 'Leave request',
  form_schema: {
    type: 'object',
    required: ['days'],
    properties: {
      employee: { type: 'string', title: 'Employee' },
      days: { type: 'integer', minimum: 1, maximum: 30 },
      reason: { type: 'string' },
    },
  },
  layout: {
    sections: [{ title: 'Request', fields: ['employee', 'days', 'reason'] }],
    fields: {
      days: { label: 'Days off', widget: 'number' },
      reason: { label: 'Reason', widget: 'textarea', help: 'Required to refuse' },
    },
  },
  actions: [
    { id: 'grant', label: 'Grant', style: 'primary' },
    { id: 'refuse', label: 'Refuse', style: 'danger', requires: ['reason'] },
  ],
};

beforeAll(async () => {
  [stack, browser] = await Promise.all([startConsoleStack(), launchBrowser()]);
  admin = await createLoginUser(stack, { username: `${p}-admin`, roles: ['admin'] });
  viewer = await createLoginUser(stack, { username: `${p}-viewer`, roles: ['viewer'] });
  await stack.http.post('/api/v1/ui-components').send(leaveForm).expect(201);
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

/** The editor's JSON with `change` applied. */
async function editJson(change: (doc: FormDoc) => void): Promise<void> {
  const editor = page.getByLabel('Form JSON');
  const doc = JSON.parse(await editor.inputValue()) as FormDoc;
  change(doc);
  await editor.fill(JSON.stringify(doc, null, 2));
}

it('lists the form, previews it, refuses an invalid change by pointer, saves a valid one and activates it', async () => {
  await loginAs(page, stack, admin);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Forms' }).click();
  await page.getByLabel('Name').fill('Leave request');
  await page.getByRole('button', { name: 'Search' }).click();
  const row = page.getByTestId('form-row').filter({ hasText: componentId });
  await expectText(row, 'draft');
  await row.getByRole('link', { name: componentId }).click();

  // The preview renders the stored JSON: labels from the layout, else the schema's title.
  const preview = page.getByRole('region', { name: 'Preview' });
  await preview.getByLabel('Days off').waitFor();
  await preview.getByLabel('Employee').waitFor();
  // A refusal needs a reason: the preview validates as the inbox does, and sends nothing.
  await preview.getByLabel('Days off').fill('3');
  await preview.getByRole('button', { name: 'Refuse' }).click();
  await expectText(preview.locator('.panel.errors'), 'Reason: is required for “Refuse”');
  await expectCount(preview.getByRole('status'), 0);
  await preview.getByLabel('Reason').fill('Team offsite that week');
  await preview.getByRole('button', { name: 'Refuse' }).click();
  await expectText(preview.getByRole('status'), 'action refuse');
  await expectText(preview.getByLabel('Submitted data'), '"reason": "Team offsite that week"');

  // A layout naming a missing field and a duplicate action: Validate and Save list both by pointer.
  await editJson((doc) => {
    doc.layout.sections[0]!.fields.push('ghost');
    doc.actions.push({ id: 'grant', label: 'Grant again' });
  });
  await page.getByRole('button', { name: 'Validate' }).click();
  const errors = page.getByRole('alert', { name: 'Validation errors' });
  await expectText(errors, '/layout/sections/0/fields/3');
  await expectText(errors, '/actions/2/id');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expectText(errors, '/body/layout/sections/0/fields/3');
  await screenshot(page, 'form-errors');
  const stored = await stack.http.get(`/api/v1/ui-components/${componentId}/versions/1.0.0`);
  expect(stored.body.actions).toHaveLength(2);

  // Fixed, with a new field: saved, and the preview shows it at once.
  await editJson((doc) => {
    doc.layout.sections[0]!.fields.pop();
    doc.actions.pop();
    doc.form_schema.properties.handover = { type: 'string', title: 'Handover to' };
  });
  await preview.getByLabel('Handover to').waitFor();
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expectText(page.getByRole('status').first(), 'Draft 1.0.0 saved.');
  const saved = await stack.http.get(`/api/v1/ui-components/${componentId}/versions/1.0.0`);
  expect(saved.body.form_schema.properties.handover).toEqual({ type: 'string', title: 'Handover to' });

  await page.getByRole('button', { name: 'Activate v1.0.0' }).click();
  await expectText(page.getByTestId('version-1.0.0'), 'active');
  expect((await stack.http.get(`/api/v1/ui-components/${componentId}`)).body.status).toBe('active');
  await screenshot(page, 'form');
});

it('shows a viewer the form and its preview, with nothing to change', async () => {
  await loginAs(page, stack, viewer);
  await page.goto(`${stack.url}/console/forms/${componentId}`);
  await page.getByRole('region', { name: 'Preview' }).getByLabel('Days off').waitFor();
  expect(await page.getByLabel('Form JSON').getAttribute('readonly')).not.toBeNull();
  await expectCount(page.getByRole('button', { name: /^(Save draft|Save as new version|Activate|Deprecate)/ }), 0);
});

it('says why it cannot preview JSON that is not a form, without breaking the page', async () => {
  await loginAs(page, stack, admin);
  await page.goto(`${stack.url}/console/forms/${componentId}`);
  const preview = page.getByRole('region', { name: 'Preview' });
  await preview.getByLabel('Days off').waitFor();
  await page.getByLabel('Form JSON').fill('[1, 2]');
  await expectText(preview, 'the JSON is not an object');
  await page.getByLabel('Form JSON').fill('{ "component_id": ');
  await expectText(preview, 'The JSON does not parse');
  await page.getByLabel('Form JSON').fill('{ "component_type": "display" }');
  await expectText(preview, 'no object form_schema');
});
