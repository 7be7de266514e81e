/**
 * One test run: status and counts, refreshed every second while it runs (with a cancel button for tests:write),
 * the coverage of each target once it has ended (steps and switch branches reached, the unreached ones named),
 * and the case results (TestCases). docs/testing.md, "Results and coverage".
 */
import { useState } from 'react';
import { api, type Page } from '../lib/api';
import { can, useMe } from '../lib/me';
import { Link } from '../lib/router';
import { ErrorBox, formatDuration, PageHeader, Status, Time, useLoad } from '../lib/ui';
import { CaseResults, type CaseResult } from './TestCases';
import type { CoverageFigure } from '../../../common/contracts/testing';
import { Counts, TEST_RUN_LIVE, testedText, type TestRun } from './Tests';

/** A labelled percent bar (a progressbar to assistive technology). */
export function PercentBar({ label, value, text }: { label: string; value: number; text: string }) {
  const pct = Math.max(0, Math.min(100, value));
  return (
    <div className="percent">
      <div className="percent-label">
        <span>{label}</span>
        <span className="muted small">{text}</span>
      </div>
      <div
        className="percent-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-valuetext={text}
      >
        <div className="percent-fill" style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

function Figure({ label, figure }: { label: string; figure: CoverageFigure }) {
  const text = figure.total === 0 ? `no ${label}` : `${figure.visited} of ${figure.total} (${figure.percent} %)`;
  return (
    <div data-testid={`coverage-${label}`}>
      <PercentBar label={`${label[0]!.toUpperCase()}${label.slice(1)}`} value={figure.percent} text={text} />
      {figure.unreached.length > 0 && (
        <p className="small unreached">
          <span className="muted">Unreached: </span>
          {figure.unreached.map((u) => (
            <code key={u} className="chip">
              {u}
            </code>
          ))}
        </p>
      )}
    </div>
  );
}

function Coverage({ run }: { run: TestRun }) {
  return (
    <section className="card" aria-labelledby="coverage-title">
      <h2 id="coverage-title">Coverage</h2>
      {!run.coverage ? (
        <p className="muted">{TEST_RUN_LIVE.includes(run.status) ? 'Once the run has ended.' : 'No coverage.'}</p>
      ) : run.coverage.length === 0 ? (
        <p className="muted">No workflow target (coverage is measured on workflows).</p>
      ) : (
        run.coverage.map((c) => (
          <div key={`${c.target_id}@${c.target_version}`} className="coverage-target">
            <h3>
              <Link to={`/definitions/${encodeURIComponent(c.target_id)}`}>{c.target_id}</Link>{' '}
              <span className="muted">v{c.target_version}</span>
            </h3>
            <div className="coverage-figures">
              <Figure label="steps" figure={c.steps} />
              <Figure label="branches" figure={c.branches} />
            </div>
          </div>
        ))
      )}
    </section>
  );
}

export function TestRunPage({ id }: { id: string }) {
  const me = useMe();
  const [actionError, setActionError] = useState<unknown>(null);
  const run = useLoad(() => api<TestRun>(`/test-runs/${id}`), [id], {
    pollMs: 1000,
    poll: (r) => TEST_RUN_LIVE.includes(r.status),
  });
  const r = run.data;
  const results = useLoad(
    () => api<Page<CaseResult>>(`/test-runs/${id}/results`, { query: { limit: 1000 } }),
    [id, r?.status, JSON.stringify(r?.summary)],
  );
  if (run.error) return <ErrorBox error={run.error} />;
  if (!r) return <p aria-busy="true">Loading…</p>;
  const live = TEST_RUN_LIVE.includes(r.status);
  const done = r.summary.total - r.summary.pending - r.summary.running;
  const cancel = async () => {
    if (!window.confirm('Cancel this test run? Running cases are cancelled, the others end skipped.')) return;
    setActionError(null);
    try {
      await api(`/test-runs/${id}/cancel`, { method: 'POST' });
      run.reload();
    } catch (err) {
      setActionError(err);
    }
  };
  return (
    <>
      <PageHeader
        title={
          <>
            Test run <span className="mono">{r.id.slice(0, 8)}</span>
          </>
        }
      >
        <span data-testid="test-run-status">
          <Status status={r.status} />
        </span>
        {live && (
          <span className="muted small" aria-live="polite">
            refreshing every second
          </span>
        )}
        {live && can(me, 'tests:write') && (
          <button type="button" className="btn danger" onClick={() => void cancel()}>
            Cancel test run
          </button>
        )}
        <Link to="/tests" className="btn">
          All test runs
        </Link>
      </PageHeader>
      <ErrorBox error={actionError} />
      <section className="card" aria-label="Test run facts">
        <PercentBar
          label="Progress"
          value={r.summary.total ? (100 * done) / r.summary.total : 100}
          text={`${done} of ${r.summary.total} cases done`}
        />
        <dl className="facts test-facts">
          <dt>Cases</dt>
          <dd>
            <Counts summary={r.summary} />
          </dd>
          <dt>Tested</dt>
          <dd>{testedText(r)}</dd>
          <dt>Targets</dt>
          <dd>{r.targets.map((t) => `${t.type} ${t.id} v${t.version}`).join(', ') || '—'}</dd>
          <dt>Started by</dt>
          <dd>{r.triggered_by ?? '—'}</dd>
          <dt>Started</dt>
          <dd>
            <Time value={r.started_at ?? r.created_at} />
          </dd>
          <dt>Completed</dt>
          <dd>
            <Time value={r.completed_at} />
          </dd>
          <dt>Duration</dt>
          <dd>{formatDuration(r.duration_ms)}</dd>
        </dl>
      </section>
      <Coverage run={r} />
      <section className="card" aria-labelledby="cases-title">
        <h2 id="cases-title">Cases</h2>
        <ErrorBox error={results.error} />
        {results.data && <CaseResults results={results.data.items} />}
      </section>
    </>
  );
}
