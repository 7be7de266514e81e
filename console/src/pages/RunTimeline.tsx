/**
 * A run's timeline (GET /workflow-instances/{id}/timeline): one bar per step execution on a common time axis
 * starting at the run's start, coloured by status; hovering a bar tells its step, status and duration, and
 * selecting it lists the step's spans (name, service, status, offset, duration, attributes) on the same axis.
 */
import { useState } from 'react';
import { api } from '../lib/api';
import { ErrorBox, formatDuration, Json, Status, useLoad } from '../lib/ui';

/** A step execution on the timeline. */
export interface TimelineStep {
  /** The execution row; null for a step seen only in its span (set, delay, choice, ...). */
  id: string | null;
  source: 'task_instances' | 'span';
  step_id: string;
  step_path: string | null;
  step_type: string;
  task_id: string | null;
  status: string;
  attempt: number;
  started_at: string | null;
  completed_at: string | null;
  duration_ms: number | null;
  span_ids: string[];
}

/** A stored span. */
export interface TimelineSpan {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  service: string | null;
  status: 'unset' | 'ok' | 'error';
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  attributes: Record<string, unknown>;
  events: unknown[];
}

/** What the endpoint answers. */
export interface Timeline {
  run: { id: string; status: string; started_at: string | null; completed_at: string | null };
  steps: TimelineStep[];
  spans: TimelineSpan[];
  trace_ids: string[];
  truncated: boolean;
}

/** A step entry's key: its execution row, else its span. */
const keyOf = (s: TimelineStep): string => s.id ?? `span:${s.span_ids[0]}`;
const ms = (t: string | null | undefined): number | undefined => (t ? Date.parse(t) : undefined);
const SPAN_STATUS: Record<TimelineSpan['status'], string> = { ok: 'completed', error: 'failed', unset: 'pending' };

/** The axis: its origin (the run's start) and its length (ms), covering every step and span. */
export function axisOf(t: Timeline, now = Date.now()): { origin: number; length: number } {
  const starts = [
    ms(t.run.started_at),
    ...t.steps.map((s) => ms(s.started_at)),
    ...t.spans.map((s) => ms(s.started_at)),
  ];
  const origin = Math.min(...starts.filter((x): x is number => x !== undefined));
  const ends = [
    ms(t.run.completed_at) ?? now,
    ...t.steps.map((s) => ms(s.completed_at) ?? ms(s.started_at) ?? origin),
    ...t.spans.map((s) => ms(s.ended_at) ?? ms(s.started_at)!),
  ];
  return { origin, length: Math.max(1, Math.max(...ends) - origin) };
}

/** A bar's place on the axis as CSS percentages (at least a sliver wide, so an instant step stays visible). */
function place(axis: { origin: number; length: number }, start?: number, end?: number) {
  const from = ((start ?? axis.origin) - axis.origin) / axis.length;
  const to = ((end ?? start ?? axis.origin) - axis.origin) / axis.length;
  return { left: `${(from * 100).toFixed(3)}%`, width: `${Math.max(0.4, (to - from) * 100).toFixed(3)}%` };
}

function SpanList({ spans, axis }: { spans: TimelineSpan[]; axis: { origin: number; length: number } }) {
  if (spans.length === 0) return <p className="muted">No span of this step is stored (tracing off, or dropped).</p>;
  return (
    <ul className="span-list" aria-label="Spans of the step">
      {spans.map((s) => (
        <li key={s.span_id} data-testid="timeline-span">
          <div className="span-head">
            <span className="mono">{s.name}</span> <Status status={SPAN_STATUS[s.status]} />{' '}
            <span className="muted small">
              {s.service ?? ''} · +{formatDuration(Date.parse(s.started_at) - axis.origin)} ·{' '}
              {formatDuration(s.duration_ms)}
            </span>
          </div>
          <div className="gantt-track thin">
            <span
              className={`gantt-bar status-${SPAN_STATUS[s.status]}`}
              style={place(axis, ms(s.started_at), ms(s.ended_at))}
            />
          </div>
          <details>
            <summary className="small">
              attributes, events · trace <span className="mono">{s.trace_id}</span> · span{' '}
              <span className="mono">{s.span_id}</span>
            </summary>
            <Json value={{ attributes: s.attributes, events: s.events }} label={`Attributes of span ${s.name}`} />
          </details>
        </li>
      ))}
    </ul>
  );
}

/** The Timeline section of the run view; `version` changes (the run's updated_at) reload it. */
export function RunTimeline({ runId, version }: { runId: string; version: string }) {
  const [selected, setSelected] = useState<string | null>(null);
  const timeline = useLoad(() => api<Timeline>(`/workflow-instances/${runId}/timeline`), [runId, version]);
  const t = timeline.data;
  const axis = t ? axisOf(t) : undefined;
  const chosen = t?.steps.find((s) => keyOf(s) === selected);
  return (
    <section className="card" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <ErrorBox error={timeline.error} />
      {t && axis && t.steps.length === 0 && <p className="muted">No step execution recorded yet.</p>}
      {t && axis && t.steps.length > 0 && (
        <>
          <div className="gantt" role="list" aria-label="Steps on the time axis" data-testid="timeline">
            <div className="gantt-axis" aria-hidden="true">
              <span>0</span>
              <span>{formatDuration(Math.round(axis.length / 2))}</span>
              <span>{formatDuration(axis.length)}</span>
            </div>
            {t.steps.map((s) => {
              const label = `${s.step_path && s.step_path !== s.step_id ? s.step_path : s.step_id}`;
              const start = ms(s.started_at);
              const end = ms(s.completed_at) ?? (s.started_at ? Date.now() : undefined);
              const summary = `${label} (${s.step_type}): ${s.status.replace(/_/g, ' ')}, ${formatDuration(
                s.duration_ms,
              )}, attempt ${s.attempt}, ${s.span_ids.length} span${s.span_ids.length === 1 ? '' : 's'}`;
              return (
                <div key={keyOf(s)} className="gantt-row" role="listitem">
                  <span className="gantt-label mono small" title={label}>
                    {label}
                    {s.attempt > 1 && <span className="muted"> ×{s.attempt}</span>}
                  </span>
                  <div className="gantt-track">
                    <button
                      type="button"
                      className={`gantt-bar status-${s.status}${selected === keyOf(s) ? ' selected' : ''}`}
                      style={place(axis, start, end)}
                      title={summary}
                      aria-label={summary}
                      aria-pressed={selected === keyOf(s)}
                      data-testid={`timeline-step-${s.step_id}`}
                      data-status={s.status}
                      onClick={() => setSelected(selected === keyOf(s) ? null : keyOf(s))}
                    />
                  </div>
                  <span className="gantt-duration small muted">{formatDuration(s.duration_ms)}</span>
                </div>
              );
            })}
          </div>
          <p className="muted small">
            {t.trace_ids.length === 0 ? (
              'No trace stored for this run.'
            ) : (
              <>
                Trace{t.trace_ids.length > 1 ? 's' : ''}:{' '}
                {t.trace_ids.map((id) => (
                  <span key={id} className="mono" data-testid="timeline-trace">
                    {id}{' '}
                  </span>
                ))}
              </>
            )}
            {t.truncated && ' (only the first 2000 spans)'}
          </p>
          {chosen && (
            <div className="timeline-detail" data-testid="timeline-detail">
              <h3>
                {chosen.step_id} · attempt {chosen.attempt} <Status status={chosen.status} />
              </h3>
              <SpanList spans={t.spans.filter((sp) => chosen.span_ids.includes(sp.span_id))} axis={axis} />
            </div>
          )}
        </>
      )}
    </section>
  );
}
