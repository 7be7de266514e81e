/**
 * A run's lineage and its redrive / rerun actions (docs/runs.md, "Redrive and rerun"): the run it was made from,
 * the run that redrove it and its reruns, as links; for a closed run and a user with `workflow_instances:redrive`,
 * Redrive (failed, timed-out, cancelled or terminated runs, once) and Rerun (same or new input). Either opens the
 * new run.
 */
import { useState } from 'react';
import { api } from '../lib/api';
import { can, useMe } from '../lib/me';
import { Link, navigate } from '../lib/router';
import { ErrorBox } from '../lib/ui';
import type { Run } from './Runs';

const TERMINAL = ['completed', 'failed', 'cancelled', 'terminated', 'timed_out'];
const REDRIVABLE = ['failed', 'timed_out', 'cancelled', 'terminated'];

/** The lineage fields of an instance answer. */
export interface Lineage {
  origin?: { instance_id: string; kind: 'redrive' | 'rerun' } | null;
  redriven_by?: string | null;
  reruns?: string[];
}

const RunLink = ({ id }: { id: string }) => (
  <Link to={`/runs/${id}`} className="mono">
    {id.slice(0, 8)}
  </Link>
);

/** The lineage card of the run page. */
export function RunLineage({ run }: { run: Run & Lineage }) {
  const me = useMe();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [input, setInput] = useState(() => JSON.stringify(run.input ?? {}, null, 2));
  const closed = TERMINAL.includes(run.status);
  const allowed = closed && can(me, 'workflow_instances:redrive');
  const reruns = run.reruns ?? [];
  if (!run.origin && !run.redriven_by && reruns.length === 0 && !allowed) return null;

  const act = async (verb: 'redrive' | 'rerun', body?: { input: unknown }) => {
    setError(null);
    setBusy(true);
    try {
      const made = await api<Run>(`/workflow-instances/${run.id}/${verb}`, { method: 'POST', body: body ?? {} });
      navigate(`/runs/${made.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const redrive = () => {
    if (window.confirm('Redrive this run from the step that failed? Completed steps are not run again.'))
      void act('redrive');
  };
  const rerunWithInput = () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch (err) {
      setError(new Error(`The new input is not JSON: ${(err as Error).message}`));
      return;
    }
    void act('rerun', { input: parsed });
  };

  return (
    <section className="card" aria-labelledby="lineage-title" data-testid="run-lineage">
      <h2 id="lineage-title">Lineage</h2>
      <dl className="facts">
        {run.origin && (
          <>
            <dt>{run.origin.kind === 'redrive' ? 'Redrive of' : 'Rerun of'}</dt>
            <dd data-testid="lineage-origin">
              <RunLink id={run.origin.instance_id} />
            </dd>
          </>
        )}
        {run.redriven_by && (
          <>
            <dt>Redriven by</dt>
            <dd data-testid="lineage-redriven-by">
              <RunLink id={run.redriven_by} />
            </dd>
          </>
        )}
        {reruns.length > 0 && (
          <>
            <dt>Reruns</dt>
            <dd data-testid="lineage-reruns">
              {reruns.map((id, i) => (
                <span key={id}>
                  {i > 0 && ', '}
                  <RunLink id={id} />
                </span>
              ))}
            </dd>
          </>
        )}
      </dl>
      {allowed && (
        <div className="actions">
          {REDRIVABLE.includes(run.status) && !run.redriven_by && (
            <button type="button" className="btn primary" disabled={busy} onClick={redrive}>
              Redrive
            </button>
          )}{' '}
          <button type="button" className="btn" disabled={busy} onClick={() => void act('rerun')}>
            Rerun
          </button>
          <details>
            <summary>Rerun with a new input</summary>
            <label>
              Input (JSON)
              <textarea
                className="mono"
                rows={6}
                value={input}
                onChange={(e) => setInput(e.target.value)}
                aria-label="New input"
              />
            </label>
            <button type="button" className="btn" disabled={busy} onClick={rerunWithInput}>
              Rerun with this input
            </button>
          </details>
        </div>
      )}
      <ErrorBox error={error} />
    </section>
  );
}
