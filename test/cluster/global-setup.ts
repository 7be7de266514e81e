/**
 * Cluster-tier setup, once per `jest` run: the workflow bundle every worker process of the tier loads. Built here,
 * outside the test environment (webpack does not run inside jest's module sandbox); test files start the cluster.
 * In a full `npm test` the integration project's setup ran first in this process and its bundle is reused.
 */
import { TEST_ENV, type HarnessState } from '../harness-state';
import { writeWorkflowBundle } from '../helpers/workflow-bundle';

export default async function globalSetup(): Promise<void> {
  const integration = (globalThis as { __AOS_HARNESS__?: HarnessState }).__AOS_HARNESS__;
  if (integration && process.env[TEST_ENV.bundlePath]) return;
  process.env[TEST_ENV.bundlePath] = await writeWorkflowBundle();
}
