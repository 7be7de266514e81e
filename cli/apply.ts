/**
 * `aos apply`: reads what the platform stores for each document, prints the plan, then (unless dry run) writes
 * in dependency order. Nothing is written when any document conflicts. Triggers are planned again just before
 * they are written: the workflow version their `workflowDefinitionId` resolves to may be one this apply created.
 */
import { ApiError, type Client } from './client';
import type { LoadedDocument } from './documents';
import { applyOrder, planDocument, triggerFields, type PlanItem, type StoredState } from './plan';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PATHS = { workflow: '/workflow-definitions', task: '/task-definitions', event: '/event-definitions' } as const;
const enc = encodeURIComponent;

type Row = Record<string, unknown>;

/** What the platform stores for a document, or undefined. */
export async function fetchStored(client: Client, doc: LoadedDocument): Promise<StoredState | undefined> {
  switch (doc.kind) {
    case 'workflow':
    case 'task':
    case 'event': {
      const got = await client.get<Row>(`${PATHS[doc.kind]}/${enc(doc.id)}/versions/${enc(doc.version!)}`, true);
      return got && { row: got.body, etag: got.etag };
    }
    case 'trigger': {
      const got = await client.get<Row>(`/triggers/${enc(doc.id)}`, true);
      return got && { row: got.body, workflowRowId: await workflowRowId(client, doc.body.workflowDefinitionId) };
    }
    case 'test': {
      const list = await client.get<{ items: Row[] }>(`/test-definitions?definition=${enc(doc.id)}&limit=200`);
      const match = list!.body.items.find((r) => r.version === doc.version);
      if (!match) return undefined;
      const got = await client.get<Row>(`/test-definitions/${enc(match.id as string)}`);
      return { row: got!.body, etag: got!.etag };
    }
  }
}

/** The workflow definition row a trigger's `workflowDefinitionId` names as the API resolves it (active, newest). */
async function workflowRowId(client: Client, ref: unknown): Promise<string | undefined> {
  if (typeof ref !== 'string') return undefined;
  if (UUID.test(ref)) return ref;
  const got = await client.get<{ items: Row[] }>(`/workflow-definitions/${enc(ref)}/versions`, true);
  const rows = [...(got?.body.items ?? [])].sort(
    (a, b) =>
      Number(b.status === 'active') - Number(a.status === 'active') ||
      String(b.created_at).localeCompare(String(a.created_at)),
  );
  return rows[0]?.id as string | undefined;
}

/** The plan of every document, in apply order. */
export async function computePlan(client: Client, documents: LoadedDocument[]): Promise<PlanItem[]> {
  const items: PlanItem[] = [];
  for (const doc of applyOrder(documents)) items.push(planDocument(doc, await fetchStored(client, doc)));
  return items;
}

/** `kind id@version` (triggers: `trigger id`). */
function nameOf(doc: LoadedDocument): string {
  return `${doc.kind} ${doc.id}${doc.version ? `@${doc.version}` : ''}`;
}

/** One plan line, e.g. `create     workflow order-flow@1.0.0  (defs/order.yaml)`. */
export function formatPlanItem(item: PlanItem): string {
  const { doc } = item;
  const name = nameOf(doc);
  const extra = [item.activate && item.action === 'create' ? 'then activate' : undefined, item.reason]
    .filter(Boolean)
    .join('; ');
  return `${item.action.padEnd(10)} ${name}${extra ? `: ${extra}` : ''}  (${doc.source})`;
}

/** Writes one plan item (create or update); unchanged and conflict items write nothing. */
export async function applyItem(client: Client, item: PlanItem): Promise<void> {
  const { doc } = item;
  if (item.action !== 'create' && item.action !== 'update') return;
  switch (doc.kind) {
    case 'workflow':
    case 'task':
      return applyDocument(client, item, PATHS[doc.kind]);
    case 'event': {
      const status = doc.status && { status: doc.status };
      if (item.action === 'create') return void (await client.send('POST', PATHS.event, { ...doc.body, ...status }));
      const { event_id: _e, version: _v, pattern: _p, ...content } = doc.body;
      const path = `${PATHS.event}/${enc(doc.id)}/versions/${enc(doc.version!)}`;
      return void (await client.send('PATCH', path, { ...content, ...status }, ifMatch(item)));
    }
    case 'trigger': {
      if (item.action === 'create') return void (await client.send('POST', '/triggers', doc.body));
      const body = { ...triggerFields(doc.body), workflowDefinitionId: doc.body.workflowDefinitionId };
      return void (await client.send('PATCH', `/triggers/${enc(doc.id)}`, body));
    }
    case 'test': {
      const status = doc.status && { status: doc.status };
      if (item.action === 'create')
        return void (await client.send('POST', '/test-definitions', { ...doc.body, ...status }));
      const { test_id: _t, version: _v, ...content } = doc.body;
      const path = `/test-definitions/${enc(item.stored!.row.id as string)}`;
      return void (await client.send('PATCH', path, { ...(item.writeContent && content), ...status }, ifMatch(item)));
    }
  }
}

function ifMatch(item: PlanItem): Record<string, string> {
  return item.stored?.etag ? { 'if-match': item.stored.etag } : {};
}

/** Workflow and task definitions: create or replace the draft, then move the status the file asks for. */
async function applyDocument(client: Client, item: PlanItem, base: string): Promise<void> {
  const { doc } = item;
  const version = `${base}/${enc(doc.id)}/versions/${enc(doc.version!)}`;
  let etag = item.stored?.etag;
  if (item.action === 'create') etag = (await client.send('POST', base, doc.body)).etag;
  else if (item.writeContent)
    etag = (await client.send('PUT', version, doc.body, etag ? { 'if-match': etag } : {})).etag;
  if (item.activate) await client.send('POST', `${version}/activate`, undefined, etag ? { 'if-match': etag } : {});
  else if (doc.status === 'deprecated') await client.send('POST', `${version}/deprecate`);
}

/** A write the platform refused, with the plan item it belongs to. */
export class ApplyError extends Error {
  constructor(
    readonly item: PlanItem,
    override readonly cause: ApiError,
  ) {
    super(cause.message);
  }
}

/** Applies a plan in order: triggers re-planned first (see the module comment). Logs each write. */
export async function applyPlan(client: Client, plan: PlanItem[], log: (line: string) => void): Promise<number> {
  let writes = 0;
  for (const planned of plan) {
    const item =
      planned.doc.kind === 'trigger' ? planDocument(planned.doc, await fetchStored(client, planned.doc)) : planned;
    if (item.action !== 'create' && item.action !== 'update') continue;
    try {
      await applyItem(client, item);
    } catch (e) {
      throw e instanceof ApiError ? new ApplyError(item, e) : e;
    }
    writes++;
    log(`${item.action === 'create' ? 'created' : 'updated'} ${nameOf(item.doc)}`);
  }
  return writes;
}
