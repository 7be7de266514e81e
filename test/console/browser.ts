/**
 * Harness of the web console's browser tests: the real stack on a free port (the API app with every route and
 * the real orchestrator worker on its own task queue, over the file's own database and the run's Temporal dev
 * server, see test/events/harness.ts), Debian's chromium driven by playwright-core, users who log in with a
 * password, and screenshots for docs/console.md. console/dist is built by jest's globalSetup when stale.
 *
 *   const stack = await startConsoleStack();
 *   const browser = await launchBrowser();
 *   const page = await newPage(browser, stack);
 *   await loginAs(page, stack, await createLoginUser(stack, { roles: ['operator'] }));
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { eventually } from '../engine-runs/harness';
import { createEventsHarness, type EventsHarness } from '../events/harness';

/** Where Debian's package installs chromium (`apt-get install -y chromium`; .ci/run does it when missing). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots referenced by docs/console.md. */
export const SCREENSHOT_DIR = join(__dirname, '..', '..', 'docs', 'console');

/** The running stack: the harness (db, temporal, config, an all-permissions supertest agent) and its URL. */
export interface ConsoleStack extends EventsHarness {
  /** `http://127.0.0.1:<port>` */
  url: string;
}

/** Starts the API (HTTP on a free port) and the worker. `env` overrides config (e.g. TEMPORAL_UI_URL). */
export async function startConsoleStack(opts: { env?: Record<string, string> } = {}): Promise<ConsoleStack> {
  const h = await createEventsHarness({
    env: { ACCEPT_UNREGISTERED_EVENTS: 'true', TEMPORAL_UI_URL: 'http://temporal-ui.test:8233', ...opts.env },
    worker: true,
  });
  const server: Server = createServer(h.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...h,
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await h.close();
    },
  };
}

/** A user who logs in through the login page. */
export interface LoginUser {
  id: string;
  username: string;
  password: string;
  roles: string[];
}

/** Creates a user with a password through POST /users (roles: role ids, e.g. `admin`, `operator`, `viewer`). */
export async function createLoginUser(
  stack: Pick<ConsoleStack, 'http'>,
  opts: { username?: string; roles?: string[]; displayName?: string } = {},
): Promise<LoginUser> {
  const username = opts.username ?? `user-${randomBytes(3).toString('hex')}`;
  const password = `pw-${randomBytes(9).toString('hex')}`;
  const roles = opts.roles ?? ['admin'];
  const res = await stack.http
    .post('/api/v1/users')
    .send({ username, password, roles, ...(opts.displayName && { display_name: opts.displayName }) });
  if (res.status !== 201) throw new Error(`creating user ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id as string, username, password, roles };
}

/** Headless chromium with the flags a container needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/** What went wrong inside a page: uncaught errors, console errors (a CSP violation logs one), failed requests. */
export interface PageProblems {
  errors: string[];
}

/**
 * A fresh page (its own context: own sessionStorage) at 1280x860, recording page errors and console errors in
 * `problems` (tests assert it stays empty: no CSP violation, no crash).
 */
export async function newPage(browser: Browser): Promise<{ page: Page; problems: PageProblems }> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: PageProblems = { errors: [] };
  page.on('pageerror', (err) => problems.errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // Expected 4xx answers (a bad password's 401, a 422 shown on a form) log "Failed to load resource".
    if (
      msg.type() === 'error' &&
      !/Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text())
    )
      problems.errors.push(`console: ${msg.text()}`);
  });
  return { page, problems };
}

/**
 * Logs in through the login page and waits for the page it lands on: the inbox, or the first section the user's
 * roles open.
 */
export async function loginAs(
  page: Page,
  stack: Pick<ConsoleStack, 'url'>,
  user: Pick<LoginUser, 'username' | 'password'>,
): Promise<void> {
  await page.goto(`${stack.url}/console/`);
  await page.getByLabel('Username or email').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('current-user').waitFor();
  await page.locator('main h1').first().waitFor();
}

/**
 * Takes a full-page screenshot. It lands in docs/console/<name>.png when that file is missing or with
 * UPDATE_SCREENSHOTS=1 (`UPDATE_SCREENSHOTS=1 npx jest test/console` refreshes the docs' pictures); otherwise in
 * a temporary folder, so a test run does not rewrite tracked files with new ids and times.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  const docs = join(SCREENSHOT_DIR, `${name}.png`);
  const scratch = join(tmpdir(), 'aos-console-screenshots');
  const path = process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(docs) ? docs : join(scratch, `${name}.png`);
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Waits until the locator's text contains `text`. */
export async function expectText(locator: Locator, text: string): Promise<void> {
  await eventually(async () => ((await locator.textContent())?.includes(text) ? true : undefined), 15_000).catch(
    async () => {
      throw new Error(
        `expected ${locator} to contain ${JSON.stringify(text)}; it has ${JSON.stringify(await locator.textContent())}`,
      );
    },
  );
}

/** Waits until the form field's value contains `text`. */
export async function expectValue(locator: Locator, text: string): Promise<void> {
  await eventually(async () => ((await locator.inputValue()).includes(text) ? true : undefined), 15_000);
}

/** Waits until the attribute equals `value`. */
export async function expectAttr(locator: Locator, name: string, value: string): Promise<void> {
  await eventually(async () => ((await locator.getAttribute(name)) === value ? true : undefined), 15_000).catch(
    async () => {
      throw new Error(`expected ${locator} ${name}=${value}; it is ${await locator.getAttribute(name)}`);
    },
  );
}

/** Waits until the locator matches `n` elements. */
export async function expectCount(locator: Locator, n: number): Promise<void> {
  await eventually(async () => ((await locator.count()) === n ? true : undefined), 15_000).catch(async () => {
    throw new Error(`expected ${n} of ${locator}; found ${await locator.count()}`);
  });
}
