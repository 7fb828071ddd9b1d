/** A scaler adapter (ARCHITECTURE.md, "Scalers"): the only thing that touches what is being scaled. */
export interface Scaler {
  current(): Promise<number>;
  /** Sets the replica count; applying the same idempotency key twice changes nothing the second time. */
  apply(replicas: number, idempotencyKey: string): Promise<number>;
  close(): Promise<void>;
}

/** A permanent error: retrying cannot help, so the apply activity fails without retries. */
export class ScalerMisconfigured extends Error {
  override readonly name = 'ScalerMisconfigured';
}
