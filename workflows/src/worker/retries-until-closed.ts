import { defaultGrpcRetryOptions, GrpcRetryOptions } from '@temporalio/client';

/**
 * The client's gRPC retries, made to end with the connection. The SDK's retry interceptor schedules each
 * retry on a timer; one that fires after `Connection.close()` creates a call on the closed channel, which
 * throws "Channel has been shut down" from the timer (an uncaught exception at every shutdown that races a
 * failing call, e.g. a status query to a faulting controller). `close()` stops further retries at once and
 * resolves once every retry already scheduled has fired (at most the SDK's 5 s interval plus jitter), so the
 * connection can be closed after it.
 */
export function retriesUntilClosed(defaults: GrpcRetryOptions = defaultGrpcRetryOptions()): {
  options: GrpcRetryOptions;
  close(): Promise<void>;
} {
  let closing = false;
  let lastFiresAt = 0;
  return {
    options: {
      retryableDecider: (attempt, status) => !closing && defaults.retryableDecider(attempt, status),
      delayFunction: (attempt, status) => {
        const ms = defaults.delayFunction(attempt, status);
        lastFiresAt = Math.max(lastFiresAt, Date.now() + ms);
        return ms;
      },
    },
    async close() {
      closing = true;
      const wait = lastFiresAt - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 50));
    },
  };
}
