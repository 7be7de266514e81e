/**
 * `interpreterWorkflow`: the one generic workflow that runs any stored definition. It walks the snapshot
 * it was started with (never the database), so its history replays on any worker.
 */
import {
  ApplicationFailure,
  ContinueAsNew,
  continueAsNew,
  isCancellation,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { parseDuration } from '../common/definitions/duration';
import { STARTER_MIRROR_SEQ, type InterpreterInput, type ResumeState } from '../common/definitions/types';
import {
  aosEventSignal,
  aosRedriveStateQuery,
  aosStateQuery,
  humanTaskSubmitUpdate,
  pauseUpdate,
  resumeUpdate,
} from './api';
import { initialLimitState } from './block-limits';
import { withDeadline } from './deadline';
import { offerEvent } from './events';
import { evaluate } from './expressions';
import { evaluateInitialVars } from './initial-vars';
import { mirrorStatus } from './mirror';
import { runMs } from './clock';
import { checkPayloadSize } from './payload-check';
import { runOnFailure } from './on-failure';
import { checkPause, checkResume, pauseRun, resumeRun } from './pause';
import { checkSubmission, submitHumanTask } from './steps/human-task';
import { redriveState } from './redrive';
import { snapshot, type Frame, type RunState } from './runtime';
import { runSequence } from './sequence';
import { failure, timeoutFailure, toStepError } from './step-errors';

/** How many event ids continue-as-new carries for deduplication (older duplicates are vanishingly rare). */
const SEEN_EVENT_IDS_CARRIED = 1000;

/** Runs a workflow definition snapshot; returns the workflow's output. */
export async function interpreterWorkflow(input: InterpreterInput): Promise<unknown> {
  const run = createRun(input);
  setHandler(aosEventSignal, (event) => offerEvent(run, event));
  setHandler(aosStateQuery, () => snapshot(run));
  setHandler(aosRedriveStateQuery, () => redriveState(run));
  setHandler(humanTaskSubmitUpdate, (submission) => submitHumanTask(run, submission), {
    validator: (submission) => checkSubmission(run, submission),
  });
  setHandler(pauseUpdate, (req) => pauseRun(run, req), { validator: (req) => checkPause(run, req) });
  setHandler(resumeUpdate, (req) => resumeRun(run, req), { validator: (req) => checkResume(run, req) });
  const top: Frame = { path: [], overlays: [], top: true };
  // A continued or redriven run carries its variables.
  const carried = input.resume ?? input.redrive;
  const evaluating = carried ? undefined : evaluateInitialVars(run, top);
  const vars = evaluating ? await evaluating : { evaluated: false, failure: undefined };
  // A run started through startRun is mirrored as running already (with the definition's vars as written);
  // a child or a continued run writes it here, and so does a run whose vars were just evaluated.
  const startMirrored = input.startMirrored && !input.resume;
  if (startMirrored) run.mirrorSeq = Math.max(run.mirrorSeq, STARTER_MIRROR_SEQ);
  // A redriven run's row has the definition's vars as written: the carried ones replace them. A run continued
  // while paused stays mirrored `paused`.
  if (!startMirrored || vars.evaluated || input.redrive) await mirrorStatus(run, run.paused ? 'paused' : 'running');

  const body = async (): Promise<unknown> => {
    if (vars.failure !== undefined) throw vars.failure;
    const result = await runSequence(input.definition.steps, run, top, carried?.position ?? 0, (position) =>
      maybeContinueAsNew(run, position),
    );
    if (result.ended || input.definition.output === undefined) return result.output;
    return evaluate(input.definition.output, run, top, 'workflow output');
  };
  try {
    const output =
      run.deadline === undefined
        ? await body()
        : await withDeadline(
            run.deadline - Date.now(),
            body,
            () => timeoutFailure(`workflow "${input.definition.workflow_id}"`),
            'workflow timeout',
          );
    checkPayloadSize(run, `the output of workflow "${input.definition.workflow_id}"`, [output]);
    run.status = 'completed';
    await mirrorStatus(run, 'completed', { output });
    return output;
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    const error = toStepError(err);
    run.status = isCancellation(err) ? 'cancelled' : 'failed';
    log.info(`run ${run.status}`, { errorType: error.type, message: error.message });
    // A run that failed for good runs its on_failure handler once, before its failure is mirrored.
    const handled = run.status === 'failed' ? await runOnFailure(run, error) : undefined;
    await mirrorStatus(run, run.status, { error: handled ? { ...error, on_failure: handled } : error });
    // Cancellation must surface as such so Temporal records the run as cancelled, not failed.
    if (isCancellation(err) || (err instanceof ApplicationFailure && err.nonRetryable)) throw err;
    throw failure(error.type, error.message, error.details, err instanceof Error ? err : undefined);
  }
}

function createRun(input: InterpreterInput): RunState {
  const info = workflowInfo();
  const r: Partial<ResumeState> = input.resume ?? input.redrive ?? {};
  const timeoutMs = input.definition.timeout === undefined ? undefined : parseDuration(input.definition.timeout);
  return {
    input,
    workflowId: info.workflowId,
    runId: info.runId,
    status: 'running',
    vars: r.vars ?? { ...((input.definition.vars as Record<string, unknown> | undefined) ?? {}) },
    steps: r.stepOutputs ?? {},
    completed: new Set(r.completedSteps ?? []),
    current: new Map(),
    buffered: r.bufferedEvents ?? [],
    seenEventIds: new Set(r.seenEventIds ?? []),
    ...(r.lastEvent && { lastEvent: r.lastEvent }),
    lastOutput: r.lastOutput ?? null,
    mirrorSeq: r.mirrorSeq ?? 0,
    waiting: 0,
    paused: r.paused ?? false,
    deadline: r.deadline ?? (timeoutMs === undefined ? undefined : Date.now() + runMs(input.options, timeoutMs)),
    // Temporal's start time (server clock, like workflow time): the mirror's started_at.
    startedAt: r.startedAt ?? info.startTime.toISOString(),
    generation: (r.generation ?? -1) + 1,
    childStarts: { ...r.childStarts },
    limits: initialLimitState(),
    humanTasks: new Map(),
    humanTasksOpening: 0,
    ...(input.options?.recordTrail && { trail: r.trail ?? { steps: [], branches: [] } }),
    journal: {},
    occurrences: new Map(),
    ...(!input.resume && input.redrive && { reuse: input.redrive.reuse }),
  };
}

function shouldContinueAsNew(run: RunState): boolean {
  const info = workflowInfo();
  const limit = run.input.options?.continueAsNewAfterEvents;
  return info.continueAsNewSuggested || (limit !== undefined && info.historyLength > limit);
}

/** At a top-level step boundary: continue-as-new when due (else undefined, without creating a promise). */
function maybeContinueAsNew(run: RunState, position: number): Promise<void> | undefined {
  return shouldContinueAsNew(run) ? continueAsNewFrom(run, position) : undefined;
}

/** Continues as new with everything the rest of the run needs. */
async function continueAsNewFrom(run: RunState, position: number): Promise<void> {
  const resume: ResumeState = {
    position,
    vars: run.vars,
    stepOutputs: run.steps,
    completedSteps: [...run.completed],
    mirrorSeq: run.mirrorSeq,
    bufferedEvents: run.buffered,
    seenEventIds: [...run.seenEventIds].slice(-SEEN_EVENT_IDS_CARRIED),
    lastOutput: run.lastOutput,
    ...(run.lastEvent && { lastEvent: run.lastEvent }),
    ...(run.deadline !== undefined && { deadline: run.deadline }),
    startedAt: run.startedAt,
    generation: run.generation,
    childStarts: run.childStarts,
    ...(run.trail && { trail: run.trail }),
    ...(run.paused && { paused: true }),
  };
  log.info('continuing as new', { position, generation: run.generation, historyLength: workflowInfo().historyLength });
  // Only at a top-level boundary after the redriven step: nothing of a redrive is left to carry.
  await continueAsNew<typeof interpreterWorkflow>({ ...run.input, redrive: undefined, resume });
}
