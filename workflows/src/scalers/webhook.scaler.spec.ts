import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { ScalerMisconfigured, ScalerRefused } from './scaler';
import { SIGNATURE_HEADER, signBody, WebhookScaler } from './webhook.scaler';

const SECRET = 'a-webhook-secret-of-length';

/** A real HTTP receiver on loopback that checks the signature as a user's endpoint would. */
describe(WebhookScaler.name, () => {
  let server: Server;
  let url: string;
  let status = 200;
  const received: { body: string; signature: string | undefined; key: string | undefined }[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ body, signature: req.headers[SIGNATURE_HEADER] as string | undefined, key: req.headers['idempotency-key'] as string | undefined });
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ replicas: JSON.parse(body).replicas }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/scale`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('POSTs the decision with its idempotency key and an HMAC signature of the exact body', async () => {
    await expect(new WebhookScaler('demo', url, SECRET).apply(3, 'scaler/demo/7')).resolves.toBe(3);
    const last = received.at(-1)!;
    expect(JSON.parse(last.body)).toEqual({ target: 'demo', replicas: 3, idempotencyKey: 'scaler/demo/7' });
    expect(last.key).toBe('scaler/demo/7');
    expect(last.signature).toBe(signBody(SECRET, last.body));
    expect(last.signature).not.toBe(signBody('another-secret-value', last.body));
  });

  it.each([400, 401, 403, 404, 422])('treats HTTP %i as a refusal (recorded, retried slowly by the workflow)', async (code) => {
    status = code;
    await expect(new WebhookScaler('demo', url).apply(2, 'k1')).rejects.toBeInstanceOf(ScalerRefused);
    status = 200;
  });

  it.each([408, 409, 429, 500, 503])('keeps HTTP %i retryable', async (code) => {
    status = code;
    const err = await new WebhookScaler('demo', url).apply(2, 'k2').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ScalerRefused);
    expect(err).not.toBeInstanceOf(ScalerMisconfigured);
    status = 200;
  });
});
