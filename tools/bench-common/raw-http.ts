import { connect, Socket } from 'node:net';

/**
 * A benchmark's HTTP/1.1 client: one keep-alive connection sending one prebuilt request at a time
 * (no pipelining: each request waits for its answer, as a service's client would). node:http's client
 * cost about 100 µs of CPU per request here, on the same two cores as the server it measures; this
 * writes fixed bytes and reads only the status line, Content-Length and the body's length.
 */
export class RawHttpConnection {
  private socket: Socket | null = null;
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (status: number) => void; reject: (err: Error) => void } | null = null;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** Sends `request` (head and body, built by `buildPost`) and resolves with the answer's status
   * once the whole answer (Content-Length or chunked) is read. */
  send(request: Buffer): Promise<number> {
    if (this.waiting) return Promise.reject(new Error('one request at a time per connection'));
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.open().write(request);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private open(): Socket {
    if (this.socket) return this.socket;
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    // bounded: a server that stops answering fails the request after 30 s of silence
    socket.setTimeout(30_000, () => socket.destroy(new Error('timeout')));
    this.buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const fail = (err: Error): void => {
      // a connection this client already let go of (closed after its last answer) fails nothing
      if (this.socket !== socket) return;
      this.socket = null;
      this.settle(undefined, err);
    };
    socket.once('error', fail);
    socket.once('close', () => fail(new Error('connection closed')));
    this.socket = socket;
    return socket;
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const headEnd = this.buffered.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = this.buffered.toString('latin1', 0, headEnd);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let total = headEnd + 4 + (length ? Number(length[1]) : 0);
    if (!length && /\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const end = this.buffered.indexOf('\r\n0\r\n\r\n', headEnd + 2);
      if (end < 0) return;
      total = end + 7;
    }
    if (this.buffered.length < total) return;
    const status = Number(head.slice(9, 12));
    this.buffered = this.buffered.subarray(total);
    // A server that closes after this answer (its errors do) gets a new connection next time.
    if (/\r\nconnection:\s*close/i.test(head)) this.close();
    this.settle(status);
  }

  private settle(status: number | undefined, err?: Error): void {
    const w = this.waiting;
    this.waiting = null;
    if (!w) return;
    if (status !== undefined) w.resolve(status);
    else w.reject(err ?? new Error('no answer'));
  }
}

/** A POST of a JSON body as bytes, ready to be sent any number of times. */
export function buildPost(url: URL, body: Buffer, contentType = 'application/json'): Buffer {
  const head = `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}
