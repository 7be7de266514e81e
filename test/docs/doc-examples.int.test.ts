/**
 * The docs' worked examples and documented API answers are what the platform really does: each worked example
 * is created and run over the real API, worker, Temporal and PostgreSQL with its documented input and events,
 * and must return its documented result; each documented answer must have the shape of the real answer.
 * The blocks are found by their `<!-- doc-test: ... -->` marks (test/docs/doc-examples.ts).
 */
import type { Response } from 'supertest';
import { eventually } from '../engine-runs/harness';
import { createEventsHarness, type EventsHarness } from '../events/harness';
import { apiBlocks, at, shapeDiff, valueDiff, workedExamples, type DocBlock, type WorkedExample } from './doc-examples';

jest.setTimeout(180_000);
type Obj = Record<string, unknown>;
const API = '/api/v1';
const TERMINAL = ['completed', 'failed', 'cancelled', 'terminated', 'timed_out'];
let h: EventsHarness;

const examples = workedExamples();
const { requests, answers } = apiBlocks();
/** Instance id of each worked example's run, for the answers documented for it. */
const runs = new Map<string, string>();

beforeAll(async () => {
  h = await createEventsHarness({ worker: true });
});
afterAll(() => h?.close());

function expectStatus(res: Response, status: number, what: string): void {
  if (res.status !== status)
    throw new Error(`${what}: answered ${res.status}, expected ${status}: ${JSON.stringify(res.body)}`);
}

const KINDS = {
  task: ['task-definitions', 'task_id'],
  workflow: ['workflow-definitions', 'workflow_id'],
  'ui-component': ['ui-components', 'component_id'],
} as const;

async function createActive(kind: keyof typeof KINDS, doc: Obj): Promise<void> {
  const [path, key] = KINDS[kind];
  const id = doc[key];
  expectStatus(await h.http.post(`${API}/${path}`).send(doc), 201, `create ${path} ${String(id)}`);
  expectStatus(
    await h.http.post(`${API}/${path}/${String(id)}/versions/${String(doc.version)}/activate`).send(),
    200,
    `activate ${String(id)}`,
  );
}

const instance = (id: string) => h.http.get(`${API}/workflow-instances/${id}`);

/** Creates what the example needs, starts it with its input, publishes its events, and answers the settled run. */
async function runExample(ex: WorkedExample): Promise<Obj> {
  for (const e of ex.eventDefinitions)
    expectStatus(await h.http.post(`${API}/event-definitions`).send(e), 201, `event definition ${String(e.event_id)}`);
  for (const c of ex.uiComponents) await createActive('ui-component', c);
  for (const t of ex.tasks) await createActive('task', t);
  for (const c of ex.children) await createActive('workflow', c);
  await createActive('workflow', ex.definition as Obj);
  const started = await h.http
    .post(`${API}/workflow-definitions/${String(ex.definition?.workflow_id)}/runs`)
    .send({ input: ex.input });
  expectStatus(started, 201, `start ${ex.name}`);
  const id = started.body.id as string;
  runs.set(ex.name, id);
  if (ex.events.length > 0) {
    await eventually(async () => (await instance(id)).body.status === 'waiting', 30_000);
    for (const e of ex.events)
      expectStatus(await h.http.post(`${API}/events`).send(e), 202, `publish ${String(e.eventId)}`);
  }
  return eventually(async () => {
    const res = await instance(id);
    return TERMINAL.includes(res.body.status as string) ? (res.body as Obj) : undefined;
  }, 60_000);
}

describe('worked examples in the docs', () => {
  it.each(examples.map((e) => [e.name, e] as const))('%s returns what the docs say', async (_, ex) => {
    const run = await runExample(ex);
    if (ex.error) {
      expect({ where: ex.where, status: run.status, diff: valueDiff(ex.error, run.error) }).toEqual({
        where: ex.where,
        status: 'failed',
        diff: [],
      });
    } else {
      expect({
        where: ex.where,
        status: run.status,
        error: run.error,
        diff: valueDiff(ex.output?.value, run.output),
      }).toEqual({ where: ex.where, status: 'completed', error: null, diff: [] });
    }
    if (ex.variables)
      expect({ where: ex.where, variables: valueDiff(ex.variables, run.variables) }).toEqual({
        where: ex.where,
        variables: [],
      });
  });
});

/** Sends documented request `name` and answers the response (status and body). */
async function send(name: string, method: 'post', path: string): Promise<Response> {
  const req = requests.get(name);
  if (!req) throw new Error(`no documented request "${name}"`);
  return h.http[method](`${API}${path}`).send(JSON.parse(req.text));
}

const sent = new Map<string, Promise<Response>>();
/** `send`, once per documented request: answers that build on another request share its first answer. */
function sendOnce(name: string, path: string): Promise<Response> {
  if (!sent.has(name)) sent.set(name, send(name, 'post', path));
  return sent.get(name) as Promise<Response>;
}

/** The documented event is published once its pattern is registered. */
async function publishedEvent(): Promise<Response> {
  if (requests.has('create-event-definition'))
    expectStatus(await sendOnce('create-event-definition', '/event-definitions'), 201, 'create-event-definition');
  return sendOnce('publish-event', '/events');
}

/** How each documented answer is obtained from the real API. */
const calls: Record<string, (mark: DocBlock) => Promise<Response>> = {
  'publish-event': () => publishedEvent(),
  'publish-event-again': async () => {
    await publishedEvent();
    return send('publish-event', 'post', '/events');
  },
  'get-event': async () => {
    const { eventId } = (await publishedEvent()).body as { eventId: string };
    // The documented answer shows the event delivered.
    return eventually(async () => {
      const res = await h.http.get(`${API}/events/${encodeURIComponent(eventId)}`);
      return res.body.delivery?.status === 'delivered' ? res : undefined;
    }, 30_000);
  },
  'publish-batch': async () => {
    await publishedEvent();
    return sendOnce('publish-batch', '/events/batch');
  },
  'publish-batch-repeated': () => send('publish-batch-repeated', 'post', '/events/batch'),
  'create-trigger': () => sendOnce('create-trigger', '/triggers'),
  instance: async (b) => {
    const id = runs.get(b.mark?.attrs.example ?? '');
    if (!id) throw new Error(`${at(b)}: answer "instance" needs example=<a worked example that ran>`);
    return instance(id);
  },
};

describe('API answers in the docs', () => {
  it('documents only answers this test knows how to obtain', () => {
    expect(answers.map((b) => b.mark?.name).filter((n) => !(n && n in calls))).toEqual([]);
  });

  it.each(answers.map((b) => [`${b.mark?.name ?? ''} (${at(b)})`, b] as const))(
    '%s has the documented shape',
    async (_, b) => {
      const res = await calls[b.mark?.name ?? ''](b);
      const status = Number(b.mark?.attrs.status ?? 200);
      expect({ where: at(b), status: res.status, diff: shapeDiff(JSON.parse(b.text), res.body) }).toEqual({
        where: at(b),
        status,
        diff: [],
      });
    },
  );
});
