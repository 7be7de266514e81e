/** Messages between the transform pool and its threads. */

/** One evaluation: the JSONata source and the task input (root `$` and `$input`). */
export interface ThreadRequest {
  source: string;
  input: unknown;
}

/** The thread's answer: the value as JSON text (undefined: no match), or why it failed. */
export type ThreadReply =
  | { ok: true; json: string | undefined }
  | { ok: false; kind: 'parse' | 'evaluate'; message: string; code?: string; limit?: string };
