/**
 * The case results of a test run, in run order: each case with its status, failed ones open at first with every
 * failed expectation (expectation, pointer, expected, actual, message), the path the run took, the switch
 * branches, its output or error, and a link to the case's run in the Temporal Web UI.
 */
import type { ExpectationResult } from '../../../common/contracts/testing';
import { formatDuration, Json, Status } from '../lib/ui';

/** A case result as the API answers it. */
export interface CaseResult {
  id: string;
  case_id: string;
  name: string | null;
  test_id: string | null;
  status: string;
  assertions?: ExpectationResult[] | null;
  path: string[] | null;
  branches: string[] | null;
  emitted_events: unknown[] | null;
  error?: unknown;
  actual_output?: unknown;
  temporal_workflow_id: string | null;
  temporal_ui_url?: string | null;
  duration_ms: number | null;
  simulated_duration_ms: number | null;
}

/** A JSON value on one line when short, pretty-printed when not. */
function Value({ value, label }: { value: unknown; label: string }) {
  if (value === undefined) return <span className="muted">—</span>;
  const flat = JSON.stringify(value);
  if (flat.length <= 60) return <code className="json-inline">{flat}</code>;
  return <Json value={value} label={label} />;
}

function FailedExpectations({ caseId, assertions }: { caseId: string; assertions: ExpectationResult[] }) {
  return (
    <table className="list expectations" aria-label={`Failed expectations of ${caseId}`}>
      <thead>
        <tr>
          <th scope="col">Expectation</th>
          <th scope="col">Pointer</th>
          <th scope="col">Expected</th>
          <th scope="col">Actual</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {assertions.map((a, i) => (
          <tr key={i} data-testid="failed-expectation">
            <td className="mono">{a.expectation}</td>
            <td className="mono" data-testid="expectation-pointer">
              {a.pointer}
            </td>
            <td data-testid="expectation-expected">
              <Value value={a.expected} label={`Expected at ${a.pointer}`} />
            </td>
            <td data-testid="expectation-actual">
              <Value value={a.actual} label={`Actual at ${a.pointer}`} />
            </td>
            <td>{a.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function CaseBody({ c }: { c: CaseResult }) {
  const assertions = c.assertions ?? [];
  const failed = assertions.filter((a) => !a.passed);
  return (
    <div className="case-body">
      <dl className="facts">
        {c.test_id && (
          <>
            <dt>Test definition</dt>
            <dd className="mono">{c.test_id}</dd>
          </>
        )}
        <dt>Expectations</dt>
        <dd>{assertions.length === 0 ? '—' : `${assertions.length - failed.length} of ${assertions.length} held`}</dd>
        <dt>Path</dt>
        <dd data-testid="case-path">
          {c.path && c.path.length > 0 ? (
            <ol className="path" aria-label={`Path of ${c.case_id}`}>
              {c.path.map((s, i) => (
                <li key={i}>
                  <code>{s}</code>
                </li>
              ))}
            </ol>
          ) : (
            '—'
          )}
        </dd>
        {c.branches && c.branches.length > 0 && (
          <>
            <dt>Branches</dt>
            <dd className="mono small">{c.branches.join(', ')}</dd>
          </>
        )}
        <dt>Duration</dt>
        <dd>
          {formatDuration(c.duration_ms)}
          {c.simulated_duration_ms !== null && (
            <span className="muted"> ({formatDuration(c.simulated_duration_ms)} simulated)</span>
          )}
        </dd>
        <dt>Case run</dt>
        <dd>
          {c.temporal_ui_url ? (
            <a href={c.temporal_ui_url} target="_blank" rel="noreferrer">
              Open in Temporal UI
            </a>
          ) : (
            <span className="muted">not started</span>
          )}
          {c.temporal_workflow_id && <span className="mono small muted"> {c.temporal_workflow_id}</span>}
        </dd>
      </dl>
      {failed.length > 0 && (
        <>
          <h4>Failed expectations</h4>
          <FailedExpectations caseId={c.case_id} assertions={failed} />
        </>
      )}
      <div className="io">
        {c.error !== null && c.error !== undefined && (
          <div>
            <h4>Error</h4>
            <Json value={c.error} label={`Error of ${c.case_id}`} />
          </div>
        )}
        <div>
          <h4>Actual output</h4>
          <Json value={c.actual_output} label={`Output of ${c.case_id}`} />
        </div>
        {c.emitted_events && c.emitted_events.length > 0 && (
          <div>
            <h4>Emitted events</h4>
            <Json value={c.emitted_events} label={`Events emitted by ${c.case_id}`} />
          </div>
        )}
      </div>
    </div>
  );
}

/** The cases, failed and errored ones open. */
export function CaseResults({ results }: { results: CaseResult[] }) {
  if (results.length === 0) return <p className="muted">No case results yet.</p>;
  return (
    <ul className="cases">
      {results.map((c) => (
        <li key={c.id}>
          <details
            className={`case case-${c.status}`}
            open={c.status === 'failed' || c.status === 'error' ? true : undefined}
            data-testid={`case-${c.case_id}`}
            data-status={c.status}
          >
            <summary>
              <Status status={c.status} /> <span className="case-id">{c.name ?? c.case_id}</span>
              {c.name && <span className="muted mono small"> {c.case_id}</span>}
              {c.test_id && <span className="muted small"> · {c.test_id}</span>}
              <span className="muted small case-duration">{formatDuration(c.duration_ms)}</span>
            </summary>
            <CaseBody c={c} />
          </details>
        </li>
      ))}
    </ul>
  );
}
