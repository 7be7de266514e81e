/**
 * Temporal client connections that close cleanly.
 *
 * The SDK's gRPC retry interceptor retries a failed call on a timer. A call that fails because its connection is
 * closing (a long poll, a signal in flight at shutdown) is retryable to it, and the retry then runs on the closed
 * channel: grpc-js throws "Channel has been shut down" inside that timer, outside any promise, which ends the process
 * (or fails a whole jest file). This connection uses the SDK's own retry interceptor and defaults, with two changes:
 * once `close()` is called nothing more is retried (the call fails to its caller as any failed call does), and
 * `close()` waits for retries already scheduled to start before it closes the channel.
 */
import {
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type ConnectionOptions,
} from '@temporalio/client';

/** Margin after the last scheduled retry's time, so its call has started before the channel closes. */
const RETRY_START_MARGIN_MS = 20;

/** `Connection.connect`, with retries that stop when the connection closes (see the module comment). */
export async function connectTemporal(options: ConnectionOptions): Promise<Connection> {
  const defaults = defaultGrpcRetryOptions();
  let closing = false;
  // When the latest retry scheduled so far will run (epoch ms).
  let lastRetryAt = 0;
  const retry = makeGrpcRetryInterceptor({
    retryableDecider: (attempt, status) => !closing && defaults.retryableDecider(attempt, status),
    delayFunction: (attempt, status) => {
      const ms = defaults.delayFunction(attempt, status);
      lastRetryAt = Math.max(lastRetryAt, Date.now() + ms);
      return ms;
    },
  });
  const connection = await Connection.connect({ ...options, interceptors: [retry, ...(options.interceptors ?? [])] });
  const close = connection.close.bind(connection);
  connection.close = async () => {
    closing = true;
    const wait = lastRetryAt + RETRY_START_MARGIN_MS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await close();
  };
  return connection;
}
