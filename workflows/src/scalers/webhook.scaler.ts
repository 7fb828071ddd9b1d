import { createHmac, timingSafeEqual } from 'node:crypto';
import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { request as httpRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, LookupFunction } from 'node:net';
import { httpStatusClass, Scaler, ScalerMisconfigured, ScalerRefused } from './scaler';
import { hostOf, WebhookUrlPolicy } from './webhook-url';

const TIMEOUT_MS = 5_000;
/** The answer is one small JSON object; a receiver that streams more is cut off, not buffered. */
const MAX_ANSWER_BYTES = 64 * 1024;
/** How old a signed call a receiver should still accept (the verifier's default). */
export const SIGNATURE_TOLERANCE_S = 300;

export const SIGNATURE_HEADER = 'x-smartscale-signature';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. The time is signed with the body, so a captured
 * call replayed later fails the receiver's freshness check, and the idempotency key in the body stops a
 * replay inside the window from acting twice.
 */
export const signBody = (secret: string, body: string, unixSeconds: number): string =>
  `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`;

/** What a receiver does with the header (also the reference for docs/hostile/control.md). */
export function verifySignature(
  secret: string,
  header: string | undefined,
  body: string,
  nowSeconds: number,
  toleranceSeconds = SIGNATURE_TOLERANCE_S,
): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(parts.v1, 'hex'));
}

/**
 * Resolves like the default lookup, then refuses the connection if any address the name resolves to is
 * one webhooks may not reach: checked on the addresses actually connected to, so a name that resolved
 * elsewhere at creation (or rebinds between calls) cannot lead the worker to a forbidden one.
 */
export function guardedLookup(policy: WebhookUrlPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      for (const a of addresses) {
        const problem = policy.addressProblem(a.address);
        if (problem) return callback(new ScalerMisconfigured(`webhook host ${hostname} resolves to ${problem}`), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/**
 * POSTs each decision to a URL; the receiver acts and answers with the replica count it reached. With a
 * secret, the call is signed with its time (see signBody). Redirects are not followed: a 3xx is a refusal,
 * since following one would let the receiver point the worker at any address.
 */
export class WebhookScaler implements Scaler {
  private last = 0;

  constructor(
    private readonly targetId: string,
    private readonly url: string,
    private readonly secret: string | null = null,
    private readonly policy: WebhookUrlPolicy = new WebhookUrlPolicy([]),
    private readonly now: () => number = Date.now,
  ) {}

  async current(): Promise<number> {
    return this.last;
  }

  async apply(replicas: number, idempotencyKey: string): Promise<number> {
    // Again at call time: a target can reach the worker from Temporal or a file, not only through the API.
    const problem = this.policy.urlProblem(this.url);
    if (problem) throw new ScalerMisconfigured(`webhook ${this.url} refused before calling it: ${problem}`);
    const body = JSON.stringify({ target: this.targetId, replicas, idempotencyKey });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': idempotencyKey };
    if (this.secret) headers[SIGNATURE_HEADER] = signBody(this.secret, body, Math.floor(this.now() / 1000));
    const { status, location, text } = await this.post(body, headers);
    const kind = httpStatusClass(status);
    if (kind === 'refused') {
      const why =
        status >= 300 && status < 400
          ? `answered a redirect (HTTP ${status}${location ? ` to ${location}` : ''}), which is not followed`
          : `refused the decision: HTTP ${status}`;
      throw new ScalerRefused(`webhook ${this.url} ${why}`);
    }
    if (kind === 'transient') throw new Error(`webhook ${this.url} failed: HTTP ${status}`);
    let answer: { replicas?: unknown } = {};
    try {
      answer = JSON.parse(text) as { replicas?: unknown };
    } catch {
      // An empty or non-JSON answer means "done as asked".
    }
    this.last = typeof answer?.replicas === 'number' ? answer.replicas : replicas;
    return this.last;
  }

  async close(): Promise<void> {}

  /** node:http rather than fetch: its `lookup` hook sees every resolved address, and it never follows redirects. */
  private post(body: string, headers: Record<string, string>): Promise<{ status: number; location: string | undefined; text: string }> {
    const url = new URL(this.url);
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          // A literal address never reaches lookup; urlProblem has judged it above.
          ...(isIP(hostOf(url)) ? {} : { lookup: guardedLookup(this.policy) }),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_ANSWER_BYTES) return res.destroy(new Error(`webhook ${this.url} answered more than ${MAX_ANSWER_BYTES} bytes`));
            chunks.push(c);
          });
          res.on('error', reject);
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, location: res.headers.location, text: Buffer.concat(chunks).toString('utf8') }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}
