import { createHmac } from 'node:crypto';
import { httpStatusClass, Scaler, ScalerRefused } from './scaler';

const TIMEOUT_MS = 5_000;

export const SIGNATURE_HEADER = 'x-smartscale-signature';

/** `sha256=<hex HMAC of the raw body>`, the form GitHub-style receivers already know how to check. */
export const signBody = (secret: string, body: string): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/**
 * POSTs each decision to a URL; the receiver acts and answers with the replica count it reached.
 * With a secret, the body is HMAC-signed so the receiver can reject anything SmartScale did not send.
 */
export class WebhookScaler implements Scaler {
  private last = 0;

  constructor(
    private readonly targetId: string,
    private readonly url: string,
    private readonly secret: string | null = null,
  ) {}

  async current(): Promise<number> {
    return this.last;
  }

  async apply(replicas: number, idempotencyKey: string): Promise<number> {
    const body = JSON.stringify({ target: this.targetId, replicas, idempotencyKey });
    const res = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': idempotencyKey,
        ...(this.secret ? { [SIGNATURE_HEADER]: signBody(this.secret, body) } : {}),
      },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const status = httpStatusClass(res.status);
    if (status === 'refused') throw new ScalerRefused(`webhook ${this.url} refused the decision: HTTP ${res.status}`);
    if (status === 'transient') throw new Error(`webhook ${this.url} failed: HTTP ${res.status} (retried)`);
    const answer = (await res.json().catch(() => ({}))) as { replicas?: unknown };
    this.last = typeof answer.replicas === 'number' ? answer.replicas : replicas;
    return this.last;
  }

  async close(): Promise<void> {}
}
