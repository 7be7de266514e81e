/**
 * The plan of `aos apply`: for each document, what writing it would do given what the platform stores.
 * Pure (no I/O): `fetchStored` (apply.ts) reads the stored side. "unchanged" compares only the fields the API
 * stores for the kind, with the API's defaults for fields the file leaves out; server fields (id, timestamps,
 * authors, checksums) are ignored. An active or deprecated version is immutable: different content is a conflict.
 */
import { isDeepStrictEqual } from 'node:util';
import { DOCUMENT_KINDS, type LoadedDocument } from './documents';

/** What applying a document does. */
export type PlanAction = 'create' | 'update' | 'unchanged' | 'conflict';

/** What the platform stores for a document (undefined when nothing). */
export interface StoredState {
  /** The stored row as the API answers it. */
  row: Record<string, unknown>;
  /** The row's ETag (for If-Match on writes). */
  etag?: string;
  /**
   * Triggers: the row id of the workflow definition the file's `workflowDefinitionId` resolves to now (the API
   * stores the row id), when it names a stored workflow.
   */
  workflowRowId?: string;
}

/** One line of the plan. */
export interface PlanItem {
  doc: LoadedDocument;
  action: PlanAction;
  /** Why (for update and conflict), e.g. `draft content differs`, `activate`. */
  reason?: string;
  /** update: replace the content (else only the status moves). */
  writeContent?: boolean;
  /** create / update: activate (workflow and task definitions) after writing. */
  activate?: boolean;
  stored?: StoredState;
}

/** Order of writes: tasks and events, then workflows, then triggers and tests; the files' order within a kind. */
export function applyOrder(docs: LoadedDocument[]): LoadedDocument[] {
  return [...docs].sort((a, b) => DOCUMENT_KINDS.indexOf(a.kind) - DOCUMENT_KINDS.indexOf(b.kind));
}

/** The plan item of one document against its stored state. */
export function planDocument(doc: LoadedDocument, stored: StoredState | undefined): PlanItem {
  const wantActive = doc.status === 'active';
  if (!stored) return { doc, action: 'create', activate: wantActive };
  const same = sameContent(doc, stored);
  if (doc.kind === 'trigger') {
    return same
      ? { doc, action: 'unchanged', stored }
      : { doc, action: 'update', reason: 'fields differ', writeContent: true, stored };
  }
  const status = stored.row.status as string;
  if (doc.kind === 'event' && stored.row.pattern !== doc.body.pattern) {
    const pattern = String(stored.row.pattern);
    const reason = `version ${doc.version} has pattern ${pattern}: a pattern never changes, bump the version`;
    return { doc, action: 'conflict', reason, stored };
  }
  if (!same) {
    if (status !== 'draft') {
      const reason = `version ${doc.version} is ${status} with different content: bump the version`;
      return { doc, action: 'conflict', reason, stored };
    }
    const reason = wantActive ? 'draft content differs; activate' : 'draft content differs';
    return { doc, action: 'update', reason, writeContent: true, activate: wantActive, stored };
  }
  if (wantActive && status === 'draft') return { doc, action: 'update', reason: 'activate', activate: true, stored };
  if (doc.status === 'deprecated' && status !== 'deprecated') {
    return { doc, action: 'update', reason: 'deprecate', stored };
  }
  if (doc.status === 'draft' && status !== 'draft') {
    return {
      doc,
      action: 'unchanged',
      reason: `stored version is ${status} (a version never returns to draft)`,
      stored,
    };
  }
  return { doc, action: 'unchanged', stored };
}

/** Whether the stored row holds the file's content (the fields the API stores for the kind). */
export function sameContent(doc: LoadedDocument, stored: StoredState): boolean {
  if (doc.kind === 'test') {
    // The fields the file sets (the platform adds columns of its own, e.g. the resolved target row id).
    const { test_id: _t, version: _v, ...fields } = doc.body;
    const keys = [...new Set([...Object.keys(fields), 'description'])];
    const pick = (v: Record<string, unknown>) => normalize(Object.fromEntries(keys.map((k) => [k, v[k] ?? null])));
    return isDeepStrictEqual(pick(fields), pick(stored.row));
  }
  const form = doc.body.ui_component as { version?: string } | undefined;
  const unpinnedForm = form !== undefined && form.version === undefined;
  const file = comparable(doc.kind, doc.body, stored, 'file', unpinnedForm);
  return isDeepStrictEqual(file, comparable(doc.kind, stored.row, stored, 'stored', unpinnedForm));
}

const TASK_FIELDS = ['description', 'input_schema', 'output_schema', 'retry_policy', 'timeouts'];

/** The stored fields of a kind, with the API's defaults, in one form for both sides. */
function comparable(
  kind: LoadedDocument['kind'],
  v: Record<string, unknown>,
  stored: StoredState,
  side: 'file' | 'stored',
  unpinnedForm: boolean,
) {
  const orNull = (x: unknown) => (x === undefined ? null : x);
  switch (kind) {
    case 'workflow':
      return normalize(side === 'file' ? v : v.definition);
    case 'task': {
      const out: Record<string, unknown> = { name: v.name ?? v.task_id, type: v.type, config: v.config ?? {} };
      // The API answers the task's snapshot: empty fields left out.
      for (const f of TASK_FIELDS) if (v[f] !== undefined && v[f] !== null && v[f] !== '') out[f] = v[f];
      const form = v.ui_component as { component_id?: string; version?: string } | undefined;
      // A form without a version resolves to the component's active version on save: compare the component only.
      if (form) out.ui_component = unpinnedForm ? { component_id: form.component_id } : form;
      return normalize(out);
    }
    case 'event':
      return normalize({
        name: v.name,
        description: orNull(v.description),
        pattern: v.pattern,
        source_types: v.source_types ?? [],
        payload_schema: orNull(v.payload_schema),
        examples: v.examples ?? [],
        ui_metadata: orNull(v.ui_metadata),
        sequence_key_path: orNull(v.sequence_key_path),
      });
    case 'trigger': {
      const target = side === 'stored' ? v.workflowDefinitionId : (stored.workflowRowId ?? v.workflowDefinitionId);
      return normalize({ ...triggerFields(v), workflowDefinitionId: target });
    }
    case 'test':
      return normalize(v); // compared in sameContent
  }
}

/** A trigger's stored fields with the API's defaults (nullables null, enabled, priority 100, onRunning skip). */
export function triggerFields(v: Record<string, unknown>): Record<string, unknown> {
  const orNull = (x: unknown) => (x === undefined ? null : x);
  return {
    eventPattern: v.eventPattern,
    triggerType: v.triggerType,
    eventCondition: orNull(v.eventCondition),
    inputMapping: orNull(v.inputMapping),
    correlationKey: orNull(v.correlationKey),
    enabled: v.enabled ?? true,
    priority: v.priority ?? 100,
    description: orNull(v.description),
    onRunning: v.onRunning ?? 'skip',
  };
}

/** JSON round trip: what PostgreSQL's jsonb gives back (undefined members dropped). */
function normalize(v: unknown): unknown {
  return v === undefined ? null : JSON.parse(JSON.stringify(v));
}
