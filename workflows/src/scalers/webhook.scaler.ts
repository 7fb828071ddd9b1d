import { Scaler, ScalerMisconfigured } from './scaler';

const TIMEOUT_MS = 5_000;

/** POSTs each decision to a URL; the receiver acts and answers with the replica count it reached. */
export class WebhookScaler implements Scaler {
  private last = 0;

  constructor(
    private readonly targetId: string,
    private readonly url: string,
  ) {}

  async current(): Promise<number> {
    return this.last;
  }

  async apply(replicas: number, idempotencyKey: string): Promise<number> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify({ target: this.targetId, replicas, idempotencyKey }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (res.status >= 400 && res.status < 500) throw new ScalerMisconfigured(`webhook ${this.url} refused the decision: HTTP ${res.status}`);
    if (!res.ok) throw new Error(`webhook ${this.url} failed: HTTP ${res.status}`);
    const body = (await res.json().catch(() => ({}))) as { replicas?: unknown };
    this.last = typeof body.replicas === 'number' ? body.replicas : replicas;
    return this.last;
  }

  async close(): Promise<void> {}
}
