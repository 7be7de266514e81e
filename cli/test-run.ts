/**
 * `aos test`: starts test runs (`POST /test-runs`), polls them until they end, prints each case as it finishes
 * and the coverage, and writes JUnit XML. Exit code: 0 when every case passed, 1 otherwise (a failed, errored or
 * skipped case, a cancelled run, or a run still going at the timeout); usage and connection errors are 2.
 */
import { writeFileSync } from 'node:fs';
import type { TargetCoverage, TestRunRequest, TestRunStatus, TestRunSummary } from '../common/contracts/testing';
import type { Client } from './client';
import { errorText, failureLines, renderJUnit, type CaseResultRow } from './junit';

/** A test run row (the fields the CLI reads). */
export interface TestRunRow {
  id: string;
  status: TestRunStatus;
  summary?: TestRunSummary;
  /** Per workflow target, once the run has ended (`GET /test-runs/{id}`). */
  coverage?: TargetCoverage[] | null;
}

/** Options of {@link runTests}. */
export interface RunOptions {
  intervalMs: number;
  timeoutMs: number;
  junit?: string;
  log: (line: string) => void;
}

const RUNNING = new Set(['pending', 'running']);

/** Runs each request as a test run (all started first, then followed together); answers the exit code. */
export async function runTests(client: Client, requests: TestRunRequest[], opts: RunOptions): Promise<number> {
  const runs: TestRunRow[] = [];
  for (const request of requests) {
    const { body } = await client.send<TestRunRow>('POST', '/test-runs', request);
    opts.log(`test run ${body.id} started (${describe(request)})`);
    runs.push(body);
  }
  const printed = new Set<string>();
  const results = new Map<string, CaseResultRow[]>();
  const deadline = Date.now() + opts.timeoutMs;
  let timedOut = false;
  for (;;) {
    for (const [i, run] of runs.entries()) {
      if (!RUNNING.has(run.status)) continue;
      runs[i] = (await client.get<TestRunRow>(`/test-runs/${encodeURIComponent(run.id)}`))!.body;
      const rows = await allResults(client, run.id);
      results.set(run.id, rows);
      for (const row of rows) if (!RUNNING.has(row.status) && !printed.has(row.id)) printCase(row, printed, opts.log);
    }
    if (runs.every((r) => !RUNNING.has(r.status))) break;
    if (Date.now() >= deadline) {
      timedOut = true;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(opts.intervalMs, Math.max(0, deadline - Date.now()))));
  }
  const all = runs.flatMap((r) => results.get(r.id) ?? []);
  for (const row of all) if (!RUNNING.has(row.status) && !printed.has(row.id)) printCase(row, printed, opts.log);
  for (const run of runs) printRun(run, opts.log);
  if (timedOut)
    opts.log(
      `timed out after ${opts.timeoutMs / 1000}s: ${runs.filter((r) => RUNNING.has(r.status)).length} run(s) going`,
    );
  if (opts.junit) {
    writeFileSync(opts.junit, renderJUnit(runs.map((r) => r.id).join(','), all));
    opts.log(`JUnit report written to ${opts.junit}`);
  }
  const passed = !timedOut && runs.every((r) => r.status === 'passed') && all.every((r) => r.status === 'passed');
  return passed ? 0 : 1;
}

/** Every case result of a run (following `next_cursor`). */
async function allResults(client: Client, runId: string): Promise<CaseResultRow[]> {
  const rows: CaseResultRow[] = [];
  let cursor: string | null | undefined;
  do {
    const query = `limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = (await client.get<{ items: CaseResultRow[]; next_cursor?: string | null }>(
      `/test-runs/${encodeURIComponent(runId)}/results?${query}`,
    ))!.body;
    rows.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return rows;
}

function describe(r: TestRunRequest): string {
  if (r.test_definition_id) return `test definition ${r.test_definition_id}`;
  if (r.test_id) return `test ${r.test_id}`;
  if (r.tag) return `tag ${r.tag}`;
  return `target ${r.target?.type} ${r.target?.id}${r.target?.version ? `@${r.target.version}` : ''}`;
}

function printCase(row: CaseResultRow, printed: Set<string>, log: (line: string) => void): void {
  printed.add(row.id);
  const name = `${row.test_id ? `${row.test_id} › ` : ''}${row.name ?? row.case_id}`;
  const ms = row.duration_ms == null ? '' : ` (${row.duration_ms} ms)`;
  if (row.status === 'passed') return log(`  ✓ ${name}${ms}`);
  if (row.status === 'skipped') return log(`  - ${name} (skipped)`);
  if (row.status === 'error') {
    log(`  ✗ ${name}${ms}: error: ${errorText(row.error)}`);
  } else {
    log(`  ✗ ${name}${ms}`);
    for (const line of failureLines(row)) log(`      ${line}`);
  }
  if (row.temporal_workflow_id) log(`      workflow: ${row.temporal_workflow_id}`);
}

function printRun(run: TestRunRow, log: (line: string) => void): void {
  const s = run.summary;
  const counts = s
    ? `: ${s.passed} passed, ${s.failed} failed, ${s.error} errored, ${s.skipped} skipped of ${s.total}`
    : '';
  log(`test run ${run.id} ${run.status}${counts}`);
  for (const c of run.coverage ?? []) {
    for (const [what, f] of [
      ['steps', c.steps],
      ['branches', c.branches],
    ] as const) {
      const unreached = f.unreached.length ? `; never reached: ${f.unreached.join(', ')}` : '';
      log(
        `  coverage of ${c.target_id}@${c.target_version} ${what}: ${f.percent}% (${f.visited}/${f.total})${unreached}`,
      );
    }
  }
}
