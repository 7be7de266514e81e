/**
 * Redrive in the interpreter (docs/runs.md, "Redrive and rerun"): every run keeps a journal of the nested steps
 * that finished inside its top-level step in progress; a redriven run begins at that step with the failed run's
 * journal as `reuse`, and a nested execution found there returns its recorded result instead of running again.
 * Plain data and no promises: a run that is not redriven only pays a key and a map entry per nested step.
 */
import type { JournalEntry, RedriveState, Step, StepRecord } from '../common/definitions/types';
import { recordStep, stepPath, type Frame, type RunState, type StepResult } from './runtime';
import { findCatch } from './step-errors';

/** A top-level step begins: it is the one in progress; the journal restarts; reuse serves only the first one. */
export function enterTopStep(run: RunState, position: number, first: boolean): void {
  run.position = position;
  if (!first) run.reuse = undefined;
  run.journal = {};
  if (run.occurrences.size > 0) run.occurrences.clear();
}

/** The journal key of the next execution of nested step `stepId` in `frame` (counted here). */
export function nextJournalKey(run: RunState, frame: Frame, stepId: string): string {
  const path = stepPath(frame, stepId);
  const n = (run.occurrences.get(path) ?? 0) + 1;
  run.occurrences.set(path, n);
  return `${path}#${n}`;
}

/** Records a finished nested execution. */
export function journalStep(run: RunState, key: string, record: StepRecord, result: Omit<StepResult, 'output'>): void {
  run.journal[key] = {
    record,
    ...(result.next !== undefined && { next: result.next }),
    ...(result.end && { end: true }),
  };
}

/** Applies a reused execution as running it did: its record, `result_var` or the catch's `into`, its next step. */
export function reuseEntry(step: Step, run: RunState, frame: Frame, key: string, entry: JournalEntry): StepResult {
  run.journal[key] = entry;
  recordStep(run, frame, step.id, entry.record);
  const { error } = entry.record;
  if (error) {
    // The clause that caught it is the one whose `next` the entry recorded (a `when` may have skipped others).
    const into = (step.catch?.find((c) => c.next === entry.next) ?? findCatch(step.catch, error))?.into;
    if (into) run.vars[into] = error;
  } else if ('result_var' in step && step.result_var) run.vars[step.result_var] = entry.record.output;
  return {
    output: error ?? entry.record.output,
    ...(entry.next !== undefined && { next: entry.next }),
    ...(entry.end && { end: true }),
  };
}

/** The `aosRedriveState` answer: what a redrive of this run takes over. */
export function redriveState(run: RunState): RedriveState {
  return {
    position: run.position ?? null,
    vars: run.vars,
    stepOutputs: run.steps,
    completedSteps: [...run.completed],
    bufferedEvents: run.buffered,
    seenEventIds: [...run.seenEventIds],
    lastOutput: run.lastOutput,
    ...(run.lastEvent && { lastEvent: run.lastEvent }),
    journal: run.journal,
  };
}
