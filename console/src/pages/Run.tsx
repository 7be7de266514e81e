/**
 * One run: status and links, the definition's steps as a tree (parallel branches and foreach bodies nested)
 * coloured by status, each step's executions from the mirror (input, output, error, attempts, timings), the
 * events it received, its timeline (steps on a time axis with their spans) and its logs (with observability:read),
 * cancel / terminate when permitted. Refreshes every 2 s until the run is over.
 */
import { useState } from 'react';
import { api, type Page } from '../lib/api';
import { can, useMe } from '../lib/me';
import { Link } from '../lib/router';
import { ErrorBox, formatDuration, Json, PageHeader, Status, Time, useLoad } from '../lib/ui';
import { RunLineage } from './RunLineage';
import { RunControl } from './RunControl';
import { RunLogs } from './RunLogs';
import type { Run, TaskExecution } from './Runs';
import { RunTimeline } from './RunTimeline';

const TERMINAL = ['completed', 'failed', 'cancelled', 'terminated', 'timed_out'];

/** A step of the definition as the tree needs it. */
interface StepDoc {
  id: string;
  type: string;
  name?: string;
  steps?: StepDoc[];
  branches?: Array<{ id: string; name?: string; steps: StepDoc[] }>;
}

/** Live state (GET /workflow-instances/{id}/state). */
interface RunState {
  status: string;
  currentSteps?: string[];
  completedSteps?: string[];
}

/** A stored event (GET /events). */
interface StoredEvent {
  id: string;
  eventId: string;
  pattern: string;
  timestamp: string;
  payload: unknown;
  metadata: Record<string, unknown>;
  source?: { type?: string; id?: string } | null;
}

/**
 * How a stored event relates to the run: the event that started it, one the run emitted (`emit_event` stores
 * `source: { type: "workflow", id: <the run's workflow id> }`), or another event under its correlation key.
 */
export function eventRelation(
  event: Pick<StoredEvent, 'eventId' | 'source'>,
  run: { workflow_id: string; trigger?: { eventId?: string } | null },
): 'started the run' | 'emitted by the run' | 'correlated' {
  if (run.trigger?.eventId !== undefined && event.eventId === run.trigger.eventId) return 'started the run';
  if (event.source?.type === 'workflow' && event.source.id === run.workflow_id) return 'emitted by the run';
  return 'correlated';
}

/** The status of a step: its latest execution's, else what the live state says, else not reached. */
export function stepStatus(step: StepDoc, tasks: TaskExecution[], state: RunState | undefined): string {
  const mine = tasks.filter((t) => t.step_id === step.id);
  if (mine.length > 0) {
    if (mine.some((t) => ['running', 'waiting', 'pending', 'scheduled'].includes(t.status)))
      return mine.find((t) => ['running', 'waiting', 'pending', 'scheduled'].includes(t.status))!.status;
    if (mine.some((t) => t.status === 'failed') && !mine.some((t) => t.status === 'completed')) return 'failed';
    return mine[mine.length - 1]!.status;
  }
  if (state?.currentSteps?.includes(step.id)) return 'running';
  if (state?.completedSteps?.includes(step.id)) return 'completed';
  return 'not_reached';
}

function StepTree(props: {
  steps: StepDoc[];
  tasks: TaskExecution[];
  state: RunState | undefined;
  selected: string | null;
  onSelect(id: string): void;
}) {
  return (
    <ul className="step-tree">
      {props.steps.map((s) => {
        const status = stepStatus(s, props.tasks, props.state);
        return (
          <li key={s.id} className={props.selected === s.id ? 'selected' : undefined}>
            <button
              type="button"
              className={`step status-${status}`}
              aria-pressed={props.selected === s.id}
              data-testid={`step-${s.id}`}
              data-status={status}
              onClick={() => props.onSelect(s.id)}
            >
              {/* The name is the visible text ("review human_task completed"): no aria-label that differs from it. */}
              <span className="step-id">{s.name ?? s.id}</span> <span className="step-type">{s.type}</span>{' '}
              <span className={`badge status-${status}`}>{status.replace(/_/g, ' ')}</span>
            </button>
            {s.steps && <StepTree {...props} steps={s.steps} />}
            {s.branches?.map((b) => (
              <div key={b.id} className="branch">
                <div className="branch-label">branch {b.name ?? b.id}</div>
                <StepTree {...props} steps={b.steps} />
              </div>
            ))}
          </li>
        );
      })}
    </ul>
  );
}

function StepDetail({ stepId, tasks }: { stepId: string; tasks: TaskExecution[] }) {
  const mine = tasks.filter((t) => t.step_id === stepId);
  return (
    <section className="card" aria-labelledby="step-detail-title">
      <h2 id="step-detail-title">Step {stepId}</h2>
      {mine.length === 0 && (
        <p className="muted">No recorded execution of this step (it ran inside the workflow, or not yet).</p>
      )}
      {mine.map((t) => (
        <article key={t.id} className="execution" data-testid="execution">
          <h3>
            {t.step_path && t.step_path !== t.step_id ? `${t.step_path} · ` : ''}attempt {t.attempt}{' '}
            <Status status={t.status} />
          </h3>
          <dl className="facts">
            <dt>Type</dt>
            <dd>
              {t.step_type}
              {t.task_id ? ` (${t.task_id})` : ''}
            </dd>
            <dt>Started</dt>
            <dd>
              <Time value={t.started_at} />
            </dd>
            <dt>Completed</dt>
            <dd>
              <Time value={t.completed_at} />
            </dd>
            <dt>Duration</dt>
            <dd>{formatDuration(t.duration_ms)}</dd>
            {t.step_type === 'human_task' && (
              <>
                <dt>Human task</dt>
                <dd>
                  <Link to={`/tasks/${t.id}`}>open the task</Link>
                </dd>
              </>
            )}
          </dl>
          <div className="io">
            <div>
              <h4>Input</h4>
              <Json value={t.input} label={`Input of ${t.step_id}`} />
            </div>
            <div>
              <h4>Output</h4>
              <Json value={t.output} label={`Output of ${t.step_id}`} />
            </div>
            {t.error !== null && t.error !== undefined && (
              <div>
                <h4>Error</h4>
                <Json value={t.error} label={`Error of ${t.step_id}`} />
              </div>
            )}
          </div>
        </article>
      ))}
    </section>
  );
}

export function RunPage({ id }: { id: string }) {
  const me = useMe();
  const [selected, setSelected] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const run = useLoad(() => api<Run>(`/workflow-instances/${id}`), [id], {
    pollMs: 2000,
    poll: (r) => !TERMINAL.includes(r.status),
  });
  const r = run.data;
  const status = r?.status;
  const state = useLoad(
    () => api<RunState>(`/workflow-instances/${id}/state`, { query: { replay: 'true' } }).catch(() => undefined),
    [id, r?.updated_at],
  );
  const definition = useLoad(
    () =>
      r
        ? api<{ definition: { steps: StepDoc[] } }>(
            `/workflow-definitions/${encodeURIComponent(r.definition.workflow_id)}/versions/${encodeURIComponent(r.definition.version)}`,
          )
        : Promise.resolve(undefined),
    [r?.definition.workflow_id, r?.definition.version],
  );
  const events = useLoad(async () => {
    if (!r) return [];
    const found = new Map<string, StoredEvent>();
    if (r.trigger?.eventId)
      await api<StoredEvent>(`/events/${encodeURIComponent(r.trigger.eventId)}`)
        .then((e) => found.set(e.eventId, e))
        .catch(() => undefined);
    if (r.correlation_key) {
      const page = await api<Page<StoredEvent>>('/events', { query: { correlation_id: r.correlation_key, limit: 50 } });
      for (const e of page.items) found.set(e.eventId, e);
    }
    return [...found.values()];
  }, [r?.id, r?.correlation_key, r?.trigger?.eventId, status]);
  if (run.error) return <ErrorBox error={run.error} />;
  if (!r) return <p aria-busy="true">Loading…</p>;
  const live = !TERMINAL.includes(r.status);
  const stop = async (verb: 'cancel' | 'terminate') => {
    const question =
      verb === 'cancel'
        ? 'Request cancellation of this run? Its catch paths may still run.'
        : 'Terminate this run at once? Nothing will clean up after it.';
    if (!window.confirm(question)) return;
    setActionError(null);
    try {
      await api(`/workflow-instances/${id}/${verb}`, { method: 'POST', ...(verb === 'terminate' && { body: {} }) });
      run.reload();
    } catch (err) {
      setActionError(err);
    }
  };
  const tasks = r.tasks ?? [];
  return (
    <>
      <PageHeader
        title={
          <>
            Run <span className="mono">{r.id.slice(0, 8)}</span>
          </>
        }
      >
        <span data-testid="run-status">
          <Status status={r.status} />
        </span>
        {live && (
          <span className="muted small" aria-live="polite">
            refreshing every 2 s
          </span>
        )}
        {live && can(me, 'workflow_instances:cancel') && (
          <button type="button" className="btn" onClick={() => stop('cancel')}>
            Cancel run
          </button>
        )}
        {live && can(me, 'workflow_instances:terminate') && (
          <button type="button" className="btn danger" onClick={() => stop('terminate')}>
            Terminate
          </button>
        )}
        <a className="btn" href={r.temporal_ui_url} target="_blank" rel="noreferrer">
          Open in Temporal UI
        </a>
      </PageHeader>
      <ErrorBox error={actionError} />
      {r.status === 'queued' && (
        <p className="muted" data-testid="run-queued">
          Queued: the definition&apos;s concurrency limit
          {r.concurrency_key ? ` for key ${r.concurrency_key}` : ''} is reached. The run starts, in queue order, when an
          open run ends.
        </p>
      )}
      <section className="card" aria-label="Run facts">
        <dl className="facts">
          <dt>Definition</dt>
          <dd>
            <Link to={`/definitions/${encodeURIComponent(r.definition.workflow_id)}`}>{r.definition.workflow_id}</Link>{' '}
            v{r.definition.version}
          </dd>
          <dt>Started by</dt>
          <dd>
            {r.trigger?.kind ?? '—'}
            {r.trigger?.startedBy ? ` (${r.trigger.startedBy})` : ''}
          </dd>
          <dt>Correlation key</dt>
          <dd className="mono">{r.correlation_key ?? '—'}</dd>
          <dt>Business key</dt>
          <dd className="mono">{r.business_key ?? '—'}</dd>
          <dt>{r.status === 'queued' ? 'Queued' : 'Started'}</dt>
          <dd>
            <Time value={r.started_at ?? r.created_at} />
          </dd>
          <dt>Completed</dt>
          <dd>
            <Time value={r.completed_at} />
          </dd>
          <dt>Temporal workflow id</dt>
          <dd className="mono small">{r.workflow_id}</dd>
        </dl>
      </section>
      <RunLineage run={r} />
      <RunControl runId={r.id} status={r.status} version={r.updated_at} onChanged={run.reload} />
      <div className="run-grid">
        <section className="card" aria-labelledby="steps-title">
          <h2 id="steps-title">Steps</h2>
          <ErrorBox error={definition.error} />
          {definition.data && (
            <div data-testid="step-tree" aria-label="Steps of the run">
              <StepTree
                steps={definition.data.definition.steps ?? []}
                tasks={tasks}
                state={state.data}
                selected={selected}
                onSelect={setSelected}
              />
            </div>
          )}
        </section>
        {selected ? (
          <StepDetail stepId={selected} tasks={tasks} />
        ) : (
          <section className="card muted">Select a step to see its input, output, error, attempts and timings.</section>
        )}
      </div>
      <RunTimeline runId={r.id} version={r.updated_at} />
      {can(me, 'observability:read') && <RunLogs runId={r.id} version={r.updated_at} />}
      <section className="card" aria-labelledby="io-title">
        <h2 id="io-title">Input and output</h2>
        <div className="io">
          <div>
            <h4>Input</h4>
            <Json value={r.input} label="Run input" />
          </div>
          <div>
            <h4>Output</h4>
            <Json value={r.output} label="Run output" />
          </div>
          {r.error !== null && r.error !== undefined && (
            <div>
              <h4>Error</h4>
              <Json value={r.error} label="Run error" />
            </div>
          )}
        </div>
      </section>
      <section className="card" aria-labelledby="events-title">
        <h2 id="events-title">Events</h2>
        {(events.data ?? []).length === 0 ? (
          <p className="muted">No events (started through the API and no correlated events).</p>
        ) : (
          <table className="list" aria-label="Events of the run">
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Pattern</th>
                <th scope="col">Relation</th>
                <th scope="col">At</th>
                <th scope="col">Payload</th>
              </tr>
            </thead>
            <tbody>
              {events.data!.map((e) => (
                <tr key={e.eventId} data-testid="run-event">
                  <td className="mono small">{e.eventId}</td>
                  <td>{e.pattern}</td>
                  <td>{eventRelation(e, r)}</td>
                  <td>
                    <Time value={e.timestamp} />
                  </td>
                  <td>
                    <Json value={e.payload} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
