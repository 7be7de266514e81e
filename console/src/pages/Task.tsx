/**
 * One human task: what it is about, who may work on it, claim / release, the form (rendered from its UI
 * component snapshot, validated in the browser, then by the server), the history and the comments.
 */
import type { ErrorSchema } from '@rjsf/utils';
import { useEffect, useState, type FormEvent } from 'react';
import { serverErrorsToExtraErrors, type FormAction, type FormSnapshot } from '../form/layout';
import { TaskForm } from '../form/TaskForm';
import { api, ApiError } from '../lib/api';
import { can, useMe } from '../lib/me';
import { Link } from '../lib/router';
import { ErrorBox, errorText, Json, PageHeader, Status, Time, useLoad } from '../lib/ui';
import { whoText, type TaskSummary } from './Inbox';

/** One audit entry of a task. */
interface HistoryEntry {
  id?: string;
  kind: string;
  actor: string;
  details?: Record<string, unknown> | null;
  at: string;
}

/** GET /human-tasks/{id}. */
interface TaskDetail extends TaskSummary {
  description?: string | null;
  form: FormSnapshot;
  data?: Record<string, unknown> | null;
  approvals?: { required: number; approve_action?: string; allow_starter?: boolean } | null;
  submissions?: Array<{ submitted_by: string; action: string; at: string; comment?: string }>;
  escalation_level?: number;
  output?: unknown;
  history?: HistoryEntry[];
  /** What the caller may do to the task now (the API's rules, without the races they settle). */
  allowed?: { claim: boolean; release: boolean; complete: boolean; comment: boolean; assign: boolean };
}

/** One comment. */
interface Comment {
  id: string;
  author: string;
  text: string;
  at: string;
}

export function TaskPage({ id }: { id: string }) {
  const me = useMe();
  const task = useLoad(() => api<TaskDetail>(`/human-tasks/${id}`), [id]);
  const comments = useLoad(() => api<{ items: Comment[] }>(`/human-tasks/${id}/comments`).then((r) => r.items), [id]);
  const [actionError, setActionError] = useState<unknown>(null);
  const [serverErrors, setServerErrors] = useState<ErrorSchema | undefined>();
  const [otherErrors, setOtherErrors] = useState<string[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [formKey, setFormKey] = useState(0);

  const act = async (what: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setActionError(null);
    setNotice(null);
    try {
      await what();
      setNotice(done);
      task.reload();
      comments.reload();
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(false);
    }
  };

  const submit = async (action: FormAction, data: Record<string, unknown>) => {
    setBusy(true);
    setActionError(null);
    setOtherErrors([]);
    setServerErrors(undefined);
    setNotice(null);
    try {
      const res = await api<{ result?: { status?: string; approvals?: number; required?: number } }>(
        `/human-tasks/${id}/complete`,
        { method: 'POST', body: { action: action.id, data } },
      );
      const r = res.result;
      setNotice(
        r?.status === 'recorded'
          ? `Your “${action.label}” was recorded (${r.approvals ?? '?'} of ${r.required ?? '?'} approvals).`
          : `Submitted: ${action.label}.`,
      );
      setFormKey((k) => k + 1);
      task.reload();
    } catch (err) {
      if (err instanceof ApiError && err.status === 422 && err.errors.length > 0) {
        const { extraErrors, other } = serverErrorsToExtraErrors(err.errors);
        setServerErrors(extraErrors);
        setOtherErrors(other);
        setActionError(new ApiError(422, 'The server refused the submission', 'Check the highlighted fields.'));
      } else setActionError(err);
    } finally {
      setBusy(false);
    }
  };

  if (task.error) return <ErrorBox error={task.error} />;
  const t = task.data;
  if (!t) return <p aria-busy="true">Loading…</p>;
  const open = t.status === 'waiting';
  const mineNow = t.assignee === me.username;
  const admin = can(me, 'human_tasks:admin');
  const mayWork = can(me, 'human_tasks:work');
  const candidate =
    (t.candidate_users ?? []).includes(me.username) || (t.candidate_roles ?? []).some((r) => me.roles.includes(r));
  const maySubmit = open && mayWork && (mineNow || (!t.assignee && (candidate || admin)) || admin);
  return (
    <>
      <PageHeader title={t.title || t.step_id}>
        <Status status={t.status} />
      </PageHeader>
      <section className="card" aria-label="About this task">
        {t.description && <p className="description">{t.description}</p>}
        <dl className="facts">
          <dt>Workflow</dt>
          <dd>
            <Link to={`/runs/${t.workflow_instance_id}`}>{t.workflow_id}</Link> · step {t.step_id}
          </dd>
          <dt>Assignee</dt>
          <dd data-testid="task-assignee">{whoText(t)}</dd>
          {t.assignee && (t.candidate_users?.length || t.candidate_roles?.length) ? (
            <>
              <dt>Candidates</dt>
              <dd>{[...(t.candidate_users ?? []), ...(t.candidate_roles ?? []).map((r) => `role ${r}`)].join(', ')}</dd>
            </>
          ) : null}
          <dt>Due</dt>
          <dd>
            <Time value={t.due_at} />
          </dd>
          <dt>Created</dt>
          <dd>
            <Time value={t.created_at} />
          </dd>
          {t.completed_at && (
            <>
              <dt>Completed</dt>
              <dd>
                <Time value={t.completed_at} />
              </dd>
            </>
          )}
          {t.approvals && t.approvals.required > 1 && (
            <>
              <dt>Approvals</dt>
              <dd>
                {t.submissions?.length ?? 0} of {t.approvals.required}
              </dd>
            </>
          )}
        </dl>
        {open && mayWork && (
          <div className="actions">
            {!t.assignee && (candidate || admin) && (
              <button
                type="button"
                className="btn"
                disabled={busy}
                onClick={() => act(() => api(`/human-tasks/${id}/claim`, { method: 'POST' }), 'You claimed the task.')}
              >
                Claim
              </button>
            )}
            {t.assignee && (mineNow || admin) && (
              <button
                type="button"
                className="btn"
                disabled={busy}
                onClick={() => act(() => api(`/human-tasks/${id}/release`, { method: 'POST' }), 'Task released.')}
              >
                Release
              </button>
            )}
          </div>
        )}
      </section>
      {open && t.allowed?.assign && (
        <Reassign
          key={`${t.assignee}|${(t.candidate_users ?? []).join(',')}|${(t.candidate_roles ?? []).join(',')}`}
          task={t}
          busy={busy}
          onAssign={async (body) => {
            await api(`/human-tasks/${id}/assign`, { method: 'POST', body });
            setActionError(null);
            setNotice('Task reassigned.');
            task.reload();
          }}
        />
      )}
      {notice && (
        <div role="status" className="notice">
          {notice}
        </div>
      )}
      <ErrorBox error={actionError} />
      {otherErrors.length > 0 && (
        <ul className="error-box" aria-label="Other errors">
          {otherErrors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      <section className="card" aria-labelledby="form-title">
        <h2 id="form-title">{t.form?.name ?? 'Form'}</h2>
        {open ? (
          t.form ? (
            <TaskForm
              key={formKey}
              form={t.form}
              initialData={(t.data ?? {}) as Record<string, unknown>}
              disabled={busy || !maySubmit}
              serverErrors={serverErrors}
              onSubmit={submit}
            />
          ) : (
            <p className="muted">This task has no form.</p>
          )
        ) : (
          <>
            <p className="muted">This task is {t.status}.</p>
            <Json value={t.output} label="Task output" />
          </>
        )}
        {open && !maySubmit && <p className="muted">You may look at this task but not submit it.</p>}
      </section>
      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <ol className="history">
          {(t.history ?? []).map((h, i) => (
            <li key={h.id ?? i}>
              <Time value={h.at} /> · <strong>{h.kind}</strong> by {h.actor}
              {h.details && Object.keys(h.details).length > 0 && (
                <details className="history-details">
                  <summary>details</summary>
                  <Json value={h.details} label={`Details of ${h.kind}`} />
                </details>
              )}
            </li>
          ))}
        </ol>
      </section>
      <Comments
        items={comments.data ?? []}
        error={comments.error}
        canComment={mayWork}
        onAdd={(text) =>
          act(() => api(`/human-tasks/${id}/comments`, { method: 'POST', body: { text } }), 'Comment added.')
        }
      />
    </>
  );
}

/** A comma- or space-separated list as the API takes it. */
const listOf = (text: string) => text.split(/[\s,]+/).filter(Boolean);

/** What GET /human-tasks/{id}/assignees answers. */
interface AssigneeChoices {
  users: Array<{ username: string; display_name: string | null }>;
  roles: Array<{ role_id: string; name: string }>;
}

/** One field of the Reassign form: a username, or a list of usernames or role ids. */
interface ReassignField {
  name: 'assignee' | 'candidate_users' | 'candidate_roles';
  label: string;
  help: string;
  /** What it names: users or roles. */
  of: 'users' | 'roles';
  /** A comma-separated list (suggestions complete its last entry) rather than one name. */
  list: boolean;
}

const REASSIGN_FIELDS: ReassignField[] = [
  {
    name: 'assignee',
    label: 'Assignee',
    help: 'A username; empty leaves the task unclaimed.',
    of: 'users',
    list: false,
  },
  {
    name: 'candidate_users',
    label: 'Candidate users',
    help: 'Usernames, separated by commas.',
    of: 'users',
    list: true,
  },
  {
    name: 'candidate_roles',
    label: 'Candidate roles',
    help: 'Role ids, separated by commas.',
    of: 'roles',
    list: true,
  },
];

/** The entries before the one being typed (with their separators), and that last entry. */
function splitLast(text: string): [before: string, last: string] {
  const at = Math.max(text.lastIndexOf(','), text.lastIndexOf(' ')) + 1;
  return [text.slice(0, at), text.slice(at)];
}

/**
 * A Reassign input with suggestions: while it has the focus, the users or roles matching what is being typed
 * (GET /human-tasks/{id}/assignees, a moment after the last keystroke) are offered through a datalist, the
 * browser's own accessible combobox. Each suggestion completes only the entry being typed.
 */
function AssigneeInput(props: {
  taskId: string;
  field: ReassignField;
  value: string;
  errors: string[];
  onChange(value: string): void;
}) {
  const { field, value } = props;
  const [focused, setFocused] = useState(false);
  const [choices, setChoices] = useState<AssigneeChoices>({ users: [], roles: [] });
  const [before, typed] = field.list ? splitLast(value) : ['', value];
  useEffect(() => {
    if (!focused) return;
    const timer = setTimeout(() => {
      api<AssigneeChoices>(`/human-tasks/${props.taskId}/assignees`, { query: { q: typed.trim(), limit: 10 } }).then(
        setChoices,
        () => setChoices({ users: [], roles: [] }), // suggestions are a help: typing by hand still works
      );
    }, 150);
    return () => clearTimeout(timer);
  }, [focused, typed, props.taskId]);
  const options =
    field.of === 'users'
      ? choices.users.map((u) => ({ value: u.username, label: u.display_name ?? u.username }))
      : choices.roles.map((r) => ({ value: r.role_id, label: r.name }));
  const id = `reassign-${field.name}`;
  const invalid = props.errors.length > 0;
  return (
    <div className={invalid ? 'has-error' : undefined}>
      <label htmlFor={id}>{field.label}</label>
      <input
        id={id}
        value={value}
        list={`${id}-options`}
        autoComplete="off"
        onChange={(e) => props.onChange(e.target.value)}
        onFocus={() => setFocused(true)}
        onBlur={() => setFocused(false)}
        aria-invalid={invalid || undefined}
        aria-describedby={`${id}-help${invalid ? ` ${id}-error` : ''}`}
      />
      <datalist id={`${id}-options`} data-testid={`${id}-options`}>
        {options.map((o) => (
          <option key={o.value} value={before + o.value} label={o.label} />
        ))}
      </datalist>
      {invalid && (
        <p id={`${id}-error`} className="field-error">
          {props.errors.join('; ')}
        </p>
      )}
      <p id={`${id}-help`} className="muted small">
        {field.help}
      </p>
    </div>
  );
}

/**
 * Reassign a task (`human_tasks:assign`): the assignee (empty: unclaimed, offered to the candidates) and the
 * candidate users and roles, prefilled with the current ones, with suggestions of users and roles as one types.
 * The API's 422 (an unknown user or role, a task left with nobody) is shown on the field its pointer names.
 */
function Reassign(props: {
  task: TaskDetail;
  busy: boolean;
  onAssign(body: { assignee?: string | null; candidate_users?: string[]; candidate_roles?: string[] }): Promise<void>;
}) {
  const t = props.task;
  const [values, setValues] = useState<Record<ReassignField['name'], string>>({
    assignee: t.assignee ?? '',
    candidate_users: (t.candidate_users ?? []).join(', '),
    candidate_roles: (t.candidate_roles ?? []).join(', '),
  });
  const [errors, setErrors] = useState<{ pointer: string; message: string }[]>([]);
  const [failure, setFailure] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors([]);
    setFailure(null);
    // Only what changed: the API replaces the fields given and checks them (a candidate whose account was removed
    // since must not block a change of the assignee).
    const same = (a: string[], b: string[] | undefined) => a.join('\n') === (b ?? []).join('\n');
    const assignee = values.assignee.trim() || null;
    const users = listOf(values.candidate_users);
    const roles = listOf(values.candidate_roles);
    const body = {
      ...(assignee !== t.assignee && { assignee }),
      ...(!same(users, t.candidate_users) && { candidate_users: users }),
      ...(!same(roles, t.candidate_roles) && { candidate_roles: roles }),
    };
    if (Object.keys(body).length === 0) return setFailure(new Error('Nothing changed.'));
    try {
      await props.onAssign(body);
    } catch (err) {
      if (err instanceof ApiError && err.errors.length > 0) setErrors(err.errors);
      else setFailure(err);
    }
  };
  /** The errors whose pointer is `/body/<field>` or below it. */
  const on = (field: string) =>
    errors.filter((x) => x.pointer === `/body/${field}` || x.pointer.startsWith(`/body/${field}/`));
  const unplaced = errors.filter((x) => !REASSIGN_FIELDS.some((f) => on(f.name).includes(x)));
  return (
    <section className="card" aria-labelledby="reassign-title">
      <details>
        <summary>
          <h2 id="reassign-title" className="inline-heading">
            Reassign
          </h2>
        </summary>
        <form onSubmit={submit} className="reassign">
          {REASSIGN_FIELDS.map((f) => (
            <AssigneeInput
              key={f.name}
              taskId={t.id}
              field={f}
              value={values[f.name]}
              errors={on(f.name).map((x) => x.message)}
              onChange={(v) => setValues((old) => ({ ...old, [f.name]: v }))}
            />
          ))}
          {unplaced.length > 0 && (
            <ul className="error-box">
              {unplaced.map((x) => (
                <li key={x.pointer + x.message}>{x.message}</li>
              ))}
            </ul>
          )}
          <ErrorBox error={failure} />
          <button type="submit" className="btn" disabled={props.busy}>
            Reassign
          </button>
        </form>
      </details>
    </section>
  );
}

function Comments(props: {
  items: Comment[];
  error: unknown;
  canComment: boolean;
  onAdd(text: string): Promise<void>;
}) {
  const [text, setText] = useState('');
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    await props.onAdd(text.trim());
    setText('');
  };
  return (
    <section className="card" aria-labelledby="comments-title">
      <h2 id="comments-title">Comments</h2>
      {props.error ? <p className="muted">{errorText(props.error)}</p> : null}
      <ul className="comments">
        {props.items.map((c, i) => (
          <li key={c.id ?? i}>
            <strong>{c.author}</strong> · <Time value={c.at} />
            <p>{c.text}</p>
          </li>
        ))}
      </ul>
      {props.canComment && (
        <form onSubmit={add}>
          <label htmlFor="comment-text">Add a comment</label>
          <textarea id="comment-text" rows={3} value={text} onChange={(e) => setText(e.target.value)} />
          <button type="submit" className="btn">
            Comment
          </button>
        </form>
      )}
    </section>
  );
}
