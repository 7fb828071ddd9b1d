/** A scaler adapter (ARCHITECTURE.md, "Scalers"): the only thing that touches what is being scaled. */
export interface Scaler {
  current(): Promise<number>;
  /** Sets the replica count; applying the same idempotency key twice changes nothing the second time. */
  apply(replicas: number, idempotencyKey: string): Promise<number>;
  close(): Promise<void>;
}

/** Retrying soon cannot help (the worker's own setup): the activity does not retry; the workflow records it and asks again slowly. */
export class ScalerMisconfigured extends Error {
  override readonly name = 'ScalerMisconfigured';
}

/** The scaler refused (403, 404, other 4xx but 408, 409, 429): recorded as a hold and retried slowly, since permissions and objects get fixed. */
export class ScalerRefused extends Error {
  override readonly name = 'ScalerRefused';
}

/**
 * How a scaler's HTTP status is treated: 408, 409, 429 and 5xx are transient (retried with backoff);
 * other 4xx are refusals. One rule for the webhook and the Kubernetes API.
 */
export function httpStatusClass(status: number): 'ok' | 'transient' | 'refused' {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 408 || status === 409 || status === 429 || status >= 500) return 'transient';
  return 'refused';
}
