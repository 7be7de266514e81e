/**
 * The task mirror's group commit: the generic one (common/group-commit.ts) with per-item outcomes of
 * "written" (undefined) or an Error. The first write after a quiet spell goes out at once; under load,
 * everything that queued during one round trip becomes the next batch.
 */
import type { BatchOutcome } from '../../common/group-commit';

export { createGroupCommit, type GroupCommit, type GroupCommitOptions } from '../../common/group-commit';

/** One flush's outcome per item: undefined = written, an Error = that item failed. */
export type FlushResult = BatchOutcome<undefined>;
