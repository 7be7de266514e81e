/**
 * A workflow target's triggers applied to a case's events, as event routing applies them
 * (services/events/routing/route-triggers.ts): the pattern, the condition, the correlation key and the input mapping
 * are the same JSONata over the event. A case's `start_event` starts its run through the first START trigger (in
 * priority order) that accepts it; an event sent to a running case is also offered to the CANCEL triggers, and one
 * that matches with the run's correlation key cancels the run.
 */
import type { PlannedTrigger, TestStartEvent } from '../../common/contracts/testing';
import { matchesPattern } from '../../common/events/pattern';
import { evaluateOnEvent } from '../../common/events/trigger-expressions';
import { describeFailure } from '../../common/expressions/engine';

/** The event document trigger expressions see (the fields of a stored event they may read). */
export function eventDocument(e: TestStartEvent & { correlation?: string }, eventId: string): Record<string, unknown> {
  const metadata = { ...e.metadata, ...(e.correlation !== undefined && { correlationId: e.correlation }) };
  return {
    eventId,
    pattern: e.event,
    payload: e.payload ?? {},
    metadata,
    source: null,
    version: null,
    timestamp: new Date().toISOString(),
  };
}

/** How a start event starts a run, or why no trigger did. */
export type TriggeredStart =
  { started: true; triggerId: string; input: unknown; correlationKey?: string } | { started: false; reasons: string[] };

async function evaluate(expr: string, doc: object, what: string, t: PlannedTrigger): Promise<unknown> {
  try {
    return await evaluateOnEvent(expr, doc);
  } catch (err) {
    throw new Error(`trigger ${t.trigger_id} ${what}: ${describeFailure(err).message}`);
  }
}

async function keyOf(t: PlannedTrigger, doc: object): Promise<string | undefined> {
  if (!t.correlation_key) return undefined;
  const key = await evaluate(t.correlation_key, doc, 'correlation key', t);
  return key === undefined || key === null ? undefined : String(key);
}

/** The run a START trigger would start for `doc`: the first enabled START trigger that accepts it. */
export async function startByTrigger(
  triggers: PlannedTrigger[],
  doc: Record<string, unknown>,
): Promise<TriggeredStart> {
  const reasons: string[] = [];
  const starts = triggers.filter((t) => t.trigger_type === 'START');
  if (starts.length === 0) return { started: false, reasons: ['the workflow has no enabled START trigger'] };
  for (const t of starts) {
    if (!matchesPattern(t.event_pattern, String(doc.pattern))) {
      reasons.push(`${t.trigger_id}: pattern ${t.event_pattern} does not match`);
      continue;
    }
    if (t.event_condition && !(await evaluate(t.event_condition, doc, 'condition', t))) {
      reasons.push(`${t.trigger_id}: condition false`);
      continue;
    }
    let input: unknown = doc.payload;
    if (t.input_mapping) {
      const mapped: Record<string, unknown> = {};
      for (const [field, expr] of Object.entries(t.input_mapping))
        mapped[field] = await evaluate(String(expr), doc, `input_mapping.${field}`, t);
      input = mapped;
    }
    const correlationKey = await keyOf(t, doc);
    return { started: true, triggerId: t.trigger_id, input, ...(correlationKey !== undefined && { correlationKey }) };
  }
  return { started: false, reasons };
}

/** The CANCEL trigger that cancels a run with correlation key `runKey` on `doc`, if any. */
export async function cancelledBy(
  triggers: PlannedTrigger[],
  doc: Record<string, unknown>,
  runKey: string | undefined,
): Promise<string | undefined> {
  if (runKey === undefined) return undefined;
  for (const t of triggers) {
    if (t.trigger_type !== 'CANCEL' || !matchesPattern(t.event_pattern, String(doc.pattern))) continue;
    if (t.event_condition && !(await evaluate(t.event_condition, doc, 'condition', t))) continue;
    if ((await keyOf(t, doc)) === runKey) return t.trigger_id;
  }
  return undefined;
}
