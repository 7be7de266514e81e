/** Stops what test/global-setup.ts started and drops the run's databases (template and per-file copies). */
import { dropRunDatabases } from './helpers/test-database';
import type { HarnessState } from './harness-state';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as { __AOS_HARNESS__?: HarnessState }).__AOS_HARNESS__;
  if (!state) return;
  await Promise.allSettled([state.server.stop(), dropRunDatabases(state.templateDatabase)]);
}
