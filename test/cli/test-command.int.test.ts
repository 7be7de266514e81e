/**
 * `aos test` against a local fake of the test-run API (POST /test-runs, GET /test-runs/{id}, GET
 * /test-runs/{id}/results): the CLI's client behaviour (selectors, polling, cursor pages, output, JUnit, exit
 * codes). The end-to-end test against the real platform and runner is test/cli/e2e.int.test.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaseResultRow } from '../../cli/junit';

const BIN = join(__dirname, '..', '..', 'bin', 'aos.js');
const KEY = 'aos_test_key';

interface Fake {
  /** Case rows the run ends with. */
  cases: CaseResultRow[];
  requests: Array<{ method: string; url: string; body: unknown; key: unknown }>;
  /** Stored test definitions (GET /test-definitions). */
  definitions: Array<Record<string, unknown>>;
}

const fake: Fake = { cases: [], requests: [], definitions: [] };
let server: Server;
let url: string;
let polls = 0;

const summary = (rows: CaseResultRow[]) => ({
  total: rows.length,
  pending: rows.filter((r) => r.status === 'pending').length,
  running: rows.filter((r) => r.status === 'running').length,
  passed: rows.filter((r) => r.status === 'passed').length,
  failed: rows.filter((r) => r.status === 'failed').length,
  error: rows.filter((r) => r.status === 'error').length,
  skipped: rows.filter((r) => r.status === 'skipped').length,
});

/** The run's rows at this poll: first everything running, then the last case still running, then done. */
function rowsNow(): CaseResultRow[] {
  if (polls <= 1) return fake.cases.map((c) => ({ ...c, status: 'running' }));
  if (polls === 2) return fake.cases.map((c, i) => (i === fake.cases.length - 1 ? { ...c, status: 'running' } : c));
  return fake.cases;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text ? JSON.parse(text) : undefined;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      fake.requests.push({ method: req.method!, url: req.url!, body, key: req.headers['x-api-key'] });
      const send = (status: number, value: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
      };
      if (req.headers['x-api-key'] !== KEY) return send(401, { title: 'Unauthorized' });
      const u = new URL(req.url!, 'http://x');
      if (req.method === 'POST' && u.pathname === '/api/v1/test-runs') {
        polls = 0;
        const row = { id: 'run-1', status: 'pending', summary: summary(fake.cases) };
        return send(202, row, { location: '/api/v1/test-runs/run-1' });
      }
      if (req.method === 'GET' && u.pathname === '/api/v1/test-runs/run-1') {
        polls++;
        const rows = rowsNow();
        const done = rows.every((r) => r.status !== 'running');
        const status = !done ? 'running' : rows.every((r) => r.status === 'passed') ? 'passed' : 'failed';
        const coverage = done
          ? [
              {
                target_id: 'orders',
                target_version: '1.0.0',
                steps: { total: 4, visited: 3, percent: 75, unreached: ['refund'] },
                branches: { total: 2, visited: 1, percent: 50, unreached: ['route#default'] },
              },
            ]
          : null;
        return send(200, { id: 'run-1', status, summary: summary(rows), coverage });
      }
      if (req.method === 'GET' && u.pathname === '/api/v1/test-runs/run-1/results') {
        // Pages of one row, to exercise next_cursor.
        const rows = rowsNow();
        const at = Number(u.searchParams.get('cursor') ?? 0);
        const next = at + 1 < rows.length ? String(at + 1) : null;
        return send(200, { items: rows.slice(at, at + 1), next_cursor: next });
      }
      if (req.method === 'GET' && u.pathname === '/api/v1/test-definitions') {
        const items = fake.definitions.filter((d) => d.test_id === u.searchParams.get('definition'));
        return send(200, { items, next_cursor: null });
      }
      const stored = fake.definitions.find((d) => u.pathname === `/api/v1/test-definitions/${String(d.id)}`);
      if (req.method === 'GET' && stored) return send(200, stored, { etag: '"1"' });
      send(404, { title: 'Not found' });
    })();
  });
  server.listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  fake.requests = [];
  fake.definitions = [];
});

function aos(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, AOS_URL: url, AOS_API_KEY: KEY };
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const passed: CaseResultRow = {
  id: 'c1',
  case_id: 'happy',
  name: 'happy path',
  test_id: 'orders',
  status: 'passed',
  assertions: [{ expectation: 'status', pointer: '/status', passed: true, message: 'ok' }],
  duration_ms: 40,
};
const failed: CaseResultRow = {
  id: 'c2',
  case_id: 'total',
  name: 'total is summed',
  test_id: 'orders',
  status: 'failed',
  assertions: [
    { expectation: 'output', pointer: '/output/total', passed: false, expected: 10, actual: 12, message: 'differs' },
  ],
  temporal_workflow_id: 'aos-test-case.c2',
  duration_ms: 55,
};

describe('aos test', () => {
  it('exits 1 when a case failed, prints it with its mismatch, and the JUnit file lists the failure', async () => {
    fake.cases = [passed, failed];
    const junit = join(mkdtempSync(join(tmpdir(), 'aos-junit-')), 'out.xml');
    const run = await aos('test', '--test-id', 'orders', '--junit', junit, '--interval', '0.05');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(fake.requests.find((r) => r.method === 'POST')?.body).toEqual({ test_id: 'orders' });
    expect(run.stdout).toContain('✓ orders › happy path (40 ms)');
    expect(run.stdout).toContain('✗ orders › total is summed (55 ms)');
    expect(run.stdout).toContain('/output/total: differs (expected 10, actual 12)');
    expect(run.stdout).toContain('test run run-1 failed: 1 passed, 1 failed, 0 errored, 0 skipped of 2');
    expect(run.stdout).toContain('coverage of orders@1.0.0 branches: 50% (1/2); never reached: route#default');
    // Each case printed once, when it finished.
    expect(run.stdout.split('total is summed').length).toBe(2);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="orders" tests="2" failures="1"/);
    expect(xml).toMatch(
      /<testcase name="total is summed"[^>]*>\s*<failure message="\/output\/total: differs \(expected 10, actual 12\)"/,
    );
    expect(xml).not.toMatch(/<testcase name="happy path"[^>]*>\s*<failure/);
  });

  it('exits 0 when every case passed', async () => {
    fake.cases = [passed, { ...passed, id: 'c3', case_id: 'again', name: 'again' }];
    const junit = join(mkdtempSync(join(tmpdir(), 'aos-junit-')), 'out.xml');
    const run = await aos('test', '--tag', 'smoke', '--junit', junit, '--interval', '0.05', '--concurrency', '2');
    expect(run.code).toBe(0);
    expect(fake.requests.find((r) => r.method === 'POST')?.body).toEqual({ tag: 'smoke', concurrency: 2 });
    expect(fake.requests.every((r) => r.key === KEY)).toBe(true);
    expect(readFileSync(junit, 'utf8')).not.toContain('<failure');
  });

  it('runs the test definitions found in files by their stored row, once they are applied', async () => {
    fake.cases = [passed];
    const dir = mkdtempSync(join(tmpdir(), 'aos-tests-'));
    const definition = {
      test_id: 'orders',
      version: '1.0.0',
      name: 'Orders',
      target_type: 'workflow',
      target_id: 'order-flow',
      test_cases: [{ case_id: 'happy', input: { total: 10 } }],
    };
    writeFileSync(join(dir, 'orders.test.json'), JSON.stringify(definition));
    fake.definitions = [{ ...definition, id: 'td-1', status: 'active', description: null }];
    const run = await aos('test', dir, '--interval', '0.05');
    expect(run.code).toBe(0);
    expect(fake.requests.find((r) => r.method === 'POST')?.body).toEqual({ test_definition_id: 'td-1' });

    fake.requests = [];
    fake.definitions = [{ ...definition, test_cases: [], id: 'td-1', status: 'active', description: null }];
    const stale = await aos('test', dir);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/test orders@1\.0\.0 differs from the stored version .*: run aos apply first/);
    expect(fake.requests.some((r) => r.method === 'POST')).toBe(false);
  });

  it('exits 2 on usage and connection errors', async () => {
    expect((await aos('test')).code).toBe(2);
    expect((await aos('test', '--tag', 'a', '--test-id', 'b')).code).toBe(2);
    const down = await aos('test', '--tag', 'a', '--url', 'http://127.0.0.1:1');
    expect(down.code).toBe(2);
    expect(down.stderr).toContain('cannot reach http://127.0.0.1:1');
    expect((await aos('test', '--tag', 'a', '--api-key', 'wrong')).code).toBe(2);
  });
});
