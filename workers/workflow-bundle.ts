/**
 * How the interpreter's workflow bundle is built, in one place: the worker (bundling at start), the prebuild
 * script, the tests, the replay check and the benchmark all use these options, so what is measured and
 * replayed is what production runs.
 */
import type { BundleOptions } from '@temporalio/worker';

/** The workflow entry point (interpreter and event dispatcher). */
export const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * Modules evaluated once per workflow thread and shared by every run, instead of once per run. Only
 * stateless modules belong here: JSONata keeps no state between evaluations at module level, and reads
 * `Date` and `Math.random` when it evaluates, so `$now()` and `$random()` stay the run's deterministic ones
 * (test/engine/interpreter.int.test.ts checks it). Evaluating JSONata's module per run cost about 5 ms of
 * CPU per run (docs/benchmarks.md).
 */
export const PRELOADED_MODULES = ['jsonata'];

/**
 * Temporal's OpenTelemetry workflow interceptors (RunWorkflow and StartActivity spans, trace context in the
 * headers of the activities and child workflows a run schedules). Always in the bundle: the bundle is built
 * before any config is read, and the interceptors add no commands (histories recorded without them replay,
 * test/replay checks it). With tracing off the worker's span sink discards their spans (workers/tracing.ts). The
 * event dispatcher runs without them (workflows/interceptors.ts says why).
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../workflows/interceptors')];

/** Options for `bundleWorkflowCode` (add a logger if wanted). */
export const WORKFLOW_BUNDLE_OPTIONS = {
  workflowsPath: WORKFLOWS_PATH,
  preloadModules: PRELOADED_MODULES,
  workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
} as const satisfies BundleOptions;

/**
 * Worker options that bundle the interpreter at worker start (no prebuilt bundle). A worker that adds its own
 * `interceptors` must keep `workflowModules`.
 */
export const BUNDLE_AT_START = {
  workflowsPath: WORKFLOWS_PATH,
  bundlerOptions: { preloadModules: PRELOADED_MODULES },
  interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES },
};
