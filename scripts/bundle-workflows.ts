/** Prebuilds the workflow bundle for production workers: `node dist/scripts/bundle-workflows.js <out.js>`. */
import { writeFileSync } from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_OPTIONS } from '../workers/workflow-bundle';

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: bundle-workflows <output file>');
  const { code } = await bundleWorkflowCode(WORKFLOW_BUNDLE_OPTIONS);
  writeFileSync(out, code);
  console.log(`workflow bundle written to ${out} (${(code.length / 1024).toFixed(0)} KiB)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
