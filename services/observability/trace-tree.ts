/**
 * A trace as a tree of spans: each span under its parent, siblings in start order. A span whose parent is not
 * stored (dropped by a full queue, kept by another backend, or still open upstream) is shown as a root with
 * `orphan: true`, so nothing stored is hidden.
 */
import type { Knex } from 'knex';
import { AppError } from '../../common/errors';
import { listTraceSpans, type SpanRow } from '../../db/repositories/observability-queries';

/** A span in the tree, with its children. */
export type SpanNode = SpanRow & { orphan: boolean; children: SpanNode[] };

/** Figures over every span of a trace. */
export interface TraceTotals {
  span_count: number;
  started_at: Date;
  ended_at: Date | null;
  /** From the first start to the last end (ms); null while no span has ended. */
  duration_ms: number | null;
  services: string[];
  error_count: number;
}

/** A whole trace: its roots (true roots and orphans) and totals; `truncated` when only the first spans are read. */
export interface TraceTree {
  trace_id: string;
  roots: SpanNode[];
  totals: TraceTotals;
  truncated: boolean;
}

/** At most this many spans of one trace are read. */
export const TRACE_SPAN_LIMIT = 5000;

const byStart = (a: SpanRow, b: SpanRow) =>
  a.started_at.getTime() - b.started_at.getTime() || a.span_id.localeCompare(b.span_id);

/** True when following parents up from `id` comes back to `id` (corrupt or hostile span data). */
function inCycle(id: string, parentOf: Map<string, string | null>): boolean {
  const seen = new Set<string>();
  for (let at = parentOf.get(id); at; at = parentOf.get(at)) {
    if (at === id) return true;
    if (seen.has(at)) return false;
    seen.add(at);
  }
  return false;
}

/** Builds the tree of `spans` (one trace); pure. A span in a parent cycle is shown as an orphan root. */
export function buildSpanTree(spans: readonly SpanRow[]): SpanNode[] {
  const nodes = new Map<string, SpanNode>();
  for (const s of [...spans].sort(byStart)) nodes.set(s.span_id, { ...s, orphan: false, children: [] });
  const parentOf = new Map<string, string | null>();
  for (const n of nodes.values()) parentOf.set(n.span_id, n.parent_span_id);
  const roots: SpanNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parent_span_id ? nodes.get(node.parent_span_id) : undefined;
    if (parent && !inCycle(node.span_id, parentOf)) parent.children.push(node);
    else {
      node.orphan = Boolean(node.parent_span_id);
      // Cut the cycle here, so the spans under this one attach below it.
      parentOf.set(node.span_id, null);
      roots.push(node);
    }
  }
  return roots;
}

/** The totals of a non-empty list of spans. */
export function traceTotals(spans: readonly SpanRow[]): TraceTotals {
  const starts = spans.map((s) => s.started_at.getTime());
  const ends = spans.flatMap((s) => (s.ended_at ? [s.ended_at.getTime()] : []));
  const first = Math.min(...starts);
  const last = ends.length > 0 ? Math.max(...ends) : null;
  return {
    span_count: spans.length,
    started_at: new Date(first),
    ended_at: last === null ? null : new Date(last),
    duration_ms: last === null ? null : Math.max(0, last - first),
    services: [...new Set(spans.flatMap((s) => (s.service ? [s.service] : [])))].sort(),
    error_count: spans.filter((s) => s.status === 'error').length,
  };
}

/** The tree of trace `traceId` (32 lowercase hex); 404 when no span of it is stored. */
export async function getTraceTree(db: Knex, traceId: string): Promise<TraceTree> {
  const spans = await listTraceSpans(db, traceId, TRACE_SPAN_LIMIT + 1);
  if (spans.length === 0) throw AppError.notFound(`trace ${traceId} not found`);
  const kept = spans.slice(0, TRACE_SPAN_LIMIT);
  return {
    trace_id: traceId,
    roots: buildSpanTree(kept),
    totals: traceTotals(kept),
    truncated: spans.length > TRACE_SPAN_LIMIT,
  };
}
