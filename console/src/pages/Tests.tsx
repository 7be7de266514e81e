/**
 * Tests: the test runs (newest first, filtered by status) with their counts, and a form to start a run of a test
 * definition or of every case with a tag (tests:write). docs/testing.md, "Running tests".
 */
import { useState, type FormEvent } from 'react';
import type { TargetCoverage, TestRunSummary } from '../../../common/contracts/testing';
import { api, type Page } from '../lib/api';
import { can, useMe } from '../lib/me';
import { Link, navigate, useLocation } from '../lib/router';
import { ErrorBox, formatDuration, MoreButton, PageHeader, Status, Time, useLoad } from '../lib/ui';

/** A test run as the API answers it. */
export interface TestRun {
  id: string;
  status: string;
  test_definition_id: string | null;
  test_definition_version: string | null;
  triggered_by: string | null;
  selector: Record<string, unknown> | null;
  summary: TestRunSummary;
  coverage: TargetCoverage[] | null;
  test_definitions: Array<{ id: string; test_id: string; version: string; cases: number }>;
  targets: Array<{ key: string; type: string; id: string; version: string }>;
  started_at: string | null;
  completed_at: string | null;
  duration_ms: number | null;
  created_at: string;
  updated_at: string;
}

/** A test definition record (GET /test-definitions). */
interface TestDefinition {
  id: string;
  test_id: string;
  version: string;
  name?: string | null;
  status: string;
  target_type: string;
  target_id: string;
  test_cases: unknown[];
}

export const TEST_RUN_STATUSES = ['pending', 'running', 'passed', 'failed', 'error', 'cancelled'];
export const TEST_RUN_LIVE = ['pending', 'running'];

/** What a run tests, in words: its selector and the test definitions it took. */
export function testedText(r: Pick<TestRun, 'selector' | 'test_definitions'>): string {
  const defs = r.test_definitions.map((d) => `${d.test_id} v${d.version}`).join(', ');
  const s = r.selector ?? {};
  if (typeof s.tag === 'string') return `tag ${s.tag}${defs ? ` (${defs})` : ''}`;
  const target = s.target as { type?: string; id?: string; version?: string } | undefined;
  if (target?.id) return `${target.type ?? ''} ${target.id}${target.version ? ` v${target.version}` : ''}: ${defs}`;
  return defs || '—';
}

/** "1 passed · 1 failed of 2" (the statuses with cases, in a fixed order). */
export function Counts({ summary }: { summary: TestRunSummary }) {
  const parts = (['passed', 'failed', 'error', 'skipped', 'running', 'pending'] as const).filter(
    (k) => summary[k] > 0 || k === 'passed' || k === 'failed',
  );
  return (
    <span className="counts" data-testid="test-counts">
      {parts.map((k) => (
        <span key={k} className={`count count-${k}`}>
          {summary[k]} {k}
        </span>
      ))}
      <span className="muted"> of {summary.total}</span>
    </span>
  );
}

function StartRunForm() {
  const [by, setBy] = useState<'definition' | 'tag'>('definition');
  const [definition, setDefinition] = useState('');
  const [tag, setTag] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const definitions = useLoad(() => api<Page<TestDefinition>>('/test-definitions', { query: { limit: 100 } }), []);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = by === 'definition' ? { test_definition_id: definition } : { tag: tag.trim() };
      const run = await api<TestRun>('/test-runs', { method: 'POST', body });
      navigate(`/tests/${run.id}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <form className="filters start-test-run" onSubmit={submit} aria-label="Start a test run">
      <fieldset>
        <legend>Start a run</legend>
        <label className="inline">
          <input type="radio" name="run-by" checked={by === 'definition'} onChange={() => setBy('definition')} />
          By test definition
        </label>
        <label className="inline">
          <input type="radio" name="run-by" checked={by === 'tag'} onChange={() => setBy('tag')} />
          By tag
        </label>
      </fieldset>
      {by === 'definition' ? (
        <div className="wide">
          <label htmlFor="start-definition">Test definition</label>
          <select
            id="start-definition"
            required
            value={definition}
            onChange={(e) => setDefinition(e.target.value)}
            aria-busy={definitions.loading}
          >
            <option value="">choose…</option>
            {definitions.data?.items.map((d) => (
              <option key={d.id} value={d.id}>
                {d.test_id} v{d.version} ({d.status}) · {d.target_type} {d.target_id} · {d.test_cases.length} cases
              </option>
            ))}
          </select>
        </div>
      ) : (
        <div className="wide">
          <label htmlFor="start-tag">Tag</label>
          <input id="start-tag" required value={tag} onChange={(e) => setTag(e.target.value)} placeholder="smoke" />
        </div>
      )}
      <div className="filter-buttons">
        <button type="submit" className="btn primary" disabled={busy}>
          Start test run
        </button>
      </div>
      <div className="form-errors">
        <ErrorBox error={error ?? definitions.error} />
      </div>
    </form>
  );
}

export function TestsPage() {
  const me = useMe();
  const { search } = useLocation();
  const status = search.get('status') ?? '';
  const cursor = search.get('cursor') ?? undefined;
  const runs = useLoad(
    () => api<Page<TestRun>>('/test-runs', { query: { status, cursor, limit: 50 } }),
    [search.toString()],
    { pollMs: 3000, poll: () => true },
  );
  const filter = (next: string) => navigate(next ? `/tests?status=${encodeURIComponent(next)}` : '/tests');
  return (
    <>
      <PageHeader title="Tests">
        <label className="inline" htmlFor="tests-status">
          Status
          <select id="tests-status" value={status} onChange={(e) => filter(e.target.value)}>
            <option value="">any</option>
            {TEST_RUN_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
      </PageHeader>
      {can(me, 'tests:write') && <StartRunForm />}
      <ErrorBox error={runs.error} />
      <table className="list" aria-label="Test runs">
        <thead>
          <tr>
            <th scope="col">Test run</th>
            <th scope="col">Status</th>
            <th scope="col">Cases</th>
            <th scope="col">Tested</th>
            <th scope="col">Started by</th>
            <th scope="col">Started</th>
            <th scope="col">Duration</th>
          </tr>
        </thead>
        <tbody>
          {runs.data?.items.map((r) => (
            <tr key={r.id} data-testid="test-run-row">
              <td>
                <Link to={`/tests/${r.id}`} className="mono">
                  {r.id.slice(0, 8)}
                </Link>
              </td>
              <td>
                <Status status={r.status} />
              </td>
              <td>
                <Counts summary={r.summary} />
              </td>
              <td>{testedText(r)}</td>
              <td>{r.triggered_by ?? '—'}</td>
              <td>
                <Time value={r.started_at ?? r.created_at} />
              </td>
              <td>{formatDuration(r.duration_ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {runs.data && runs.data.items.length === 0 && <p className="empty">No test runs yet.</p>}
      <MoreButton
        cursor={runs.data?.next_cursor}
        onMore={(c) => {
          const next = new URLSearchParams(search);
          next.set('cursor', c);
          navigate(`/tests?${next.toString()}`);
        }}
      />
    </>
  );
}
