/**
 * Entry point of a transform worker thread (see pool.ts): evaluates one expression per message with the
 * platform's budgeted evaluator and answers with the result as JSON text (what Temporal would store anyway).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { compile, describeFailure, evaluate } from '../../../common/expressions/engine';
import type { ExpressionLimits } from '../../../common/expressions/limits';
import type { ThreadReply, ThreadRequest } from './protocol';

const limits = (workerData as { limits: ExpressionLimits }).limits;

async function answer(req: ThreadRequest): Promise<ThreadReply> {
  try {
    compile(req.source, limits);
  } catch (err) {
    return { ok: false, kind: 'parse', message: (err as Error).message };
  }
  try {
    // The input is both `$input` and the context, so `order.total` and `$input.order.total` both work.
    const value = await evaluate(req.source, req.input, { input: req.input }, limits);
    return { ok: true, json: value === undefined ? undefined : JSON.stringify(value) };
  } catch (err) {
    return { ok: false, kind: 'evaluate', ...describeFailure(err, limits) };
  }
}

parentPort?.on('message', (req: ThreadRequest) => {
  void answer(req).then((reply) => parentPort?.postMessage(reply));
});
