/** The workflow bundle built once per test run and written to a temp file, for every worker the run starts. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../workers/workflow-bundle';

/** Bundles workflows/ as production workers do and returns the file's path (workers take it as WORKFLOW_BUNDLE_PATH). */
export async function writeWorkflowBundle(): Promise<string> {
  const { code } = await bundleWorkflowCode({
    ...WORKFLOW_BUNDLE_OPTIONS,
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
  });
  const path = join(mkdtempSync(join(tmpdir(), 'aos-bundle-')), 'workflow-bundle.js');
  writeFileSync(path, code);
  return path;
}
