import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { buildPost, RawHttpConnection } from './raw-http';

describe('RawHttpConnection', () => {
  let server: Server;
  let port: number;
  const bodies: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        bodies.push(body);
        if (body === 'close') {
          res.writeHead(400, { connection: 'close', 'content-type': 'text/plain' });
          res.end('bad');
          return;
        }
        const answer = `{"pad":"${'x'.repeat(70_000)}","echo":${JSON.stringify(body)}}`;
        if (body.length > 10) {
          // with Content-Length
          res.writeHead(202, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
          res.end(answer);
          return;
        }
        // chunked, in several writes, so the answer arrives in more than one piece
        res.writeHead(201, { 'content-type': 'application/json' });
        res.write(answer.slice(0, 40_000));
        setImmediate(() => res.end(answer.slice(40_000)));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });

  it('sends the prebuilt request again and again on one connection and reads each status', async () => {
    const url = new URL(`http://127.0.0.1:${port}/v1/events?partial=true`);
    const c = new RawHttpConnection('127.0.0.1', port);
    const request = buildPost(url, Buffer.from('[{"a":1}]'));
    for (let i = 0; i < 3; i++) expect(await c.send(request)).toBe(201);
    // an answer with Content-Length
    expect(await c.send(buildPost(url, Buffer.from('x'.repeat(20))))).toBe(202);
    expect(bodies.slice(-4, -1)).toEqual(['[{"a":1}]', '[{"a":1}]', '[{"a":1}]']);
    await expect(c.send(buildPost(url, Buffer.from('close')))).resolves.toBe(400);
    // the server closed that connection: the next request opens a new one
    expect(await c.send(request)).toBe(201);
    c.close();
  });

  it('fails a request when the server is not there', async () => {
    const c = new RawHttpConnection('127.0.0.1', 1);
    await expect(c.send(buildPost(new URL('http://127.0.0.1:1/'), Buffer.from('{}')))).rejects.toThrow();
  });
});
