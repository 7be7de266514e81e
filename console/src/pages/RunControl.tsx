/**
 * A run's control: Pause / Resume (with workflow_instances:pause, when the run can take it) and its control
 * history (GET /workflow-instances/{id}/control-history: who started, paused, resumed, cancelled... and when).
 */
import { useState } from 'react';
import { api } from '../lib/api';
import { can, useMe } from '../lib/me';
import { ErrorBox, Json, Time, useLoad } from '../lib/ui';

/** One recorded control action. */
export interface ControlAction {
  id: string;
  action: string;
  principal: string;
  details: Record<string, unknown>;
  at: string;
}

const PAUSABLE = ['pending', 'running', 'waiting'];

/** Pause/Resume buttons and the control history of run `runId` (status `status`, reloaded when `version` changes). */
export function RunControl(props: { runId: string; status: string; version: string; onChanged(): void }) {
  const me = useMe();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const history = useLoad(
    () => api<{ items: ControlAction[] }>(`/workflow-instances/${props.runId}/control-history`),
    [props.runId, props.version],
  );
  const act = async (verb: 'pause' | 'resume') => {
    setError(null);
    setBusy(true);
    try {
      await api(`/workflow-instances/${props.runId}/${verb}`, { method: 'POST', body: {} });
      props.onChanged();
      history.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const allowed = can(me, 'workflow_instances:pause');
  const items = history.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="control-title">
      <h2 id="control-title">Control</h2>
      {allowed && PAUSABLE.includes(props.status) && (
        <button type="button" className="btn" disabled={busy} onClick={() => act('pause')}>
          Pause run
        </button>
      )}
      {allowed && props.status === 'paused' && (
        <button type="button" className="btn" disabled={busy} onClick={() => act('resume')}>
          Resume run
        </button>
      )}
      {props.status === 'paused' && (
        <p className="muted small">
          Paused: no new step starts until resumed. Running steps finish; timers and timeouts keep counting.
        </p>
      )}
      <ErrorBox error={error ?? history.error} />
      <h3>Control history</h3>
      {items.length === 0 ? (
        <p className="muted">No control actions recorded.</p>
      ) : (
        <table className="list" aria-label="Control history">
          <thead>
            <tr>
              <th scope="col">At</th>
              <th scope="col">Action</th>
              <th scope="col">By</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {items.map((a) => (
              <tr key={a.id} data-testid="control-action">
                <td>
                  <Time value={a.at} />
                </td>
                <td>{a.action}</td>
                <td className="mono small">{a.principal}</td>
                <td>{Object.keys(a.details).length > 0 ? <Json value={a.details} /> : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
