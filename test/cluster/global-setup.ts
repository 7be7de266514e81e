/**
 * Cluster-tier setup, once per `jest` run: the workflow bundle every worker process of the tier loads. Built here,
 * outside the test environment (webpack does not run inside jest's module sandbox); test files start the cluster.
 */
import { TEST_ENV } from '../harness-state';
import { writeWorkflowBundle } from '../helpers/workflow-bundle';

export default async function globalSetup(): Promise<void> {
  process.env[TEST_ENV.bundlePath] = await writeWorkflowBundle();
}
