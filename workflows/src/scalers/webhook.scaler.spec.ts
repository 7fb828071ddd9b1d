import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { ScalerMisconfigured, ScalerRefused } from './scaler';
import { SIGNATURE_HEADER, signBody, verifySignature, WebhookScaler } from './webhook.scaler';
import { WebhookUrlPolicy } from './webhook-url';

const SECRET = 'a-webhook-secret-of-length';
const LOOPBACK = new WebhookUrlPolicy(['127.0.0.0/8', '::1/128']);
const NOW_MS = 1_780_000_000_000;

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A real HTTP receiver on loopback that checks the signature as a user's endpoint would. */
async function receiver(handle: Handler): Promise<{ server: Server; url: string; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits.push(body);
      handle(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/scale`, hits };
}

describe(WebhookScaler.name, () => {
  let status = 200;
  const received: { body: string; signature: string | undefined; key: string | undefined }[] = [];
  let main: Awaited<ReturnType<typeof receiver>>;
  let elsewhere: Awaited<ReturnType<typeof receiver>>;

  beforeAll(async () => {
    elsewhere = await receiver((_req, res) => res.writeHead(200).end('{}'));
    main = await receiver((req, res, body) => {
      received.push({
        body,
        signature: req.headers[SIGNATURE_HEADER] as string | undefined,
        key: req.headers['idempotency-key'] as string | undefined,
      });
      if (req.url === '/redirect') return res.writeHead(302, { location: elsewhere.url }).end();
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ replicas: JSON.parse(body).replicas }));
    });
  });
  afterAll(async () => {
    await new Promise((r) => main.server.close(r));
    await new Promise((r) => elsewhere.server.close(r));
  });

  it('POSTs the decision with its idempotency key and a signature of its time and exact body', async () => {
    await expect(new WebhookScaler('demo', main.url, SECRET, LOOPBACK, () => NOW_MS).apply(3, 'scaler/demo/7')).resolves.toBe(3);
    const last = received.at(-1)!;
    expect(JSON.parse(last.body)).toEqual({ target: 'demo', replicas: 3, idempotencyKey: 'scaler/demo/7' });
    expect(last.key).toBe('scaler/demo/7');
    const t = NOW_MS / 1000;
    expect(last.signature).toBe(signBody(SECRET, last.body, t));
    expect(last.signature).toMatch(new RegExp(`^t=${t},v1=[0-9a-f]{64}$`));
    expect(verifySignature(SECRET, last.signature, last.body, t + 10)).toBe(true);
    expect(verifySignature('another-secret-value', last.signature, last.body, t)).toBe(false);
  });

  it('gives a receiver what it needs to refuse a replayed or altered call', () => {
    const body = JSON.stringify({ target: 'demo', replicas: 9, idempotencyKey: 'k' });
    const header = signBody(SECRET, body, 1_000);
    expect(verifySignature(SECRET, header, body, 1_000 + 300)).toBe(true);
    expect(verifySignature(SECRET, header, body, 1_000 + 301)).toBe(false);
    expect(verifySignature(SECRET, header, body.replace('9', '1'), 1_000)).toBe(false);
    expect(verifySignature(SECRET, header.replace('t=1000', 't=1250'), body, 1_250)).toBe(false);
    expect(verifySignature(SECRET, undefined, body, 1_000)).toBe(false);
  });

  it('treats 403 as a refusal, 503 and 429 as retryable', async () => {
    status = 403;
    await expect(new WebhookScaler('demo', main.url, null, LOOPBACK).apply(2, 'k1')).rejects.toBeInstanceOf(ScalerRefused);
    for (status of [503, 429]) {
      const err = await new WebhookScaler('demo', main.url, null, LOOPBACK).apply(2, 'k2').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(ScalerRefused);
      expect(err).not.toBeInstanceOf(ScalerMisconfigured);
    }
    status = 200;
  });

  it('does not follow a redirect: the call is refused and the other address never called', async () => {
    const err = (await new WebhookScaler('demo', main.url.replace('/scale', '/redirect'), null, LOOPBACK)
      .apply(2, 'k3')
      .catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(ScalerRefused);
    expect(err.message).toMatch(/answered a redirect \(HTTP 302 to http:\/\/127\.0\.0\.1:\d+\/scale\), which is not followed/);
    expect(elsewhere.hits).toEqual([]);
  });

  it('refuses, without connecting, URLs and names that lead to forbidden addresses', async () => {
    const before = main.hits.length;
    const port = new URL(main.url).port;
    const noPrivate = new WebhookUrlPolicy([]);
    for (const [url, policy, reason] of [
      ['http://169.254.169.254/latest/meta-data/', LOOPBACK, /link-local, metadata/],
      ['file:///etc/passwd', LOOPBACK, /scheme "file" is not allowed/],
      [main.url, noPrivate, /127\.0\.0\.1 is a loopback or private address outside/],
      // A name is judged by what it resolves to when called.
      [
        `http://localhost:${port}/scale`,
        noPrivate,
        /webhook host localhost resolves to (127\.0\.0\.1|::1) is a loopback or private address/,
      ],
    ] as const) {
      const err = (await new WebhookScaler('demo', url, null, policy).apply(1, 'k4').catch((e: unknown) => e)) as Error;
      expect([url, err]).toEqual([url, expect.any(ScalerMisconfigured)]);
      expect(err.message).toMatch(reason);
    }
    expect(main.hits.length).toBe(before);
    await expect(new WebhookScaler('demo', `http://localhost:${port}/scale`, null, LOOPBACK).apply(1, 'k5')).resolves.toBe(1);
  });
});

describe(WebhookUrlPolicy.name, () => {
  const policy = new WebhookUrlPolicy(['10.1.0.0/16']);
  it.each([
    ['http://169.254.169.254/', /link-local/],
    ['http://[fe80::1]/', /link-local/],
    ['http://[::ffff:169.254.169.254]/', /link-local/],
    ['http://0.0.0.0:3003/', /unspecified/],
    ['http://2130706433/', /127\.0\.0\.1 is a loopback or private address/],
    ['http://0x7f.1/', /127\.0\.0\.1 is a loopback or private address/],
    ['http://10.2.0.1/', /private address outside SMARTSCALE_WEBHOOK_ALLOWED_NETWORKS \(10\.1\.0\.0\/16\)/],
    ['http://[fd00::1]/', /private address/],
    ['http://METADATA.google.internal./', /cloud metadata service/],
    ['gopher://example.com/', /scheme "gopher"/],
    ['ftp://example.com/', /scheme "ftp"/],
    ['not a url', /not a URL/],
  ])('refuses %s', (url, reason) => expect(policy.urlProblem(url)).toMatch(reason));

  it.each(['https://hooks.example.com/scale', 'http://10.1.2.3:8080/scale', 'http://93.184.216.34/'])('accepts %s', (url) =>
    expect(policy.urlProblem(url)).toBeNull(),
  );

  it('never lets the allow-list open link-local addresses', () => {
    expect(new WebhookUrlPolicy(['169.254.0.0/16', '0.0.0.0/0']).addressProblem('169.254.169.254')).toMatch(/link-local/);
  });
});
