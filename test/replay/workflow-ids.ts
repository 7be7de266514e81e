/**
 * Workflow ids of recorded runs. Replay must use the original id (child workflow ids derive from it), so the
 * recorder starts each scenario under a fixed id and the replay test derives it from the fixture's file name.
 * A `-prepatch` fixture is a scenario's history recorded by the code before a `patched()` change (kept by
 * hand, never re-recorded): it proves the patch leaves such histories replaying unchanged.
 */
export function replayWorkflowId(fixtureName: string): string {
  return `replay-${fixtureName.replace(/-(last-run|prepatch)$/, '')}`;
}
