/** A message ready for the broker, with its size so batches can be bounded in bytes. */
export interface OutgoingMessage {
  key: string;
  value: string;
  timestamp: string;
}

/**
 * Fired by a caller that stopped waiting (its request was answered 503). A plain object rather than an
 * AbortSignal: one is made per request, and EventTarget costs more than the rest of the bookkeeping.
 */
export class Withdrawal {
  reason: Error | null = null;
  private listener: ((reason: Error) => void) | null = null;

  on(listener: (reason: Error) => void): void {
    if (this.reason) listener(this.reason);
    else this.listener = listener;
  }

  fire(reason: Error): void {
    if (this.reason) return;
    this.reason = reason;
    this.listener?.(reason);
  }
}

interface Pending<M extends OutgoingMessage> {
  messages: M[];
  bytes: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for produce requests. The idempotent producer keeps one request in flight per broker,
 * so concurrent HTTP requests would otherwise queue behind each other one round trip at a time. Here,
 * while one send is in flight, the requests that arrive wait together and go out as the next send;
 * each caller's promise settles with the send that carried all of its messages, so "resolved" still
 * means "acknowledged with acks=all", and a failed send fails exactly the requests it carried. No timer
 * is involved: an idle publisher sends at once, a busy one batches by itself.
 */
export class CoalescingPublisher<M extends OutgoingMessage = OutgoingMessage> {
  private readonly queue: Pending<M>[] = [];
  private sending = false;
  private idle: (() => void)[] = [];
  private queuedBytes = 0;
  private sendingBytes = 0;

  constructor(
    private readonly send: (messages: M[]) => Promise<void>,
    /** Upper bound of one send, in value bytes (a single larger message still goes out alone). */
    private readonly maxBytes: number,
  ) {}

  /**
   * Resolves once the broker acknowledged every message. A request over `maxBytes` goes out in
   * several sends (in order), since the broker refuses a record batch over max.message.bytes; if one
   * of them fails the caller gets the error, and its retry with the same ids is de-duplicated downstream.
   *
   * When `withdrawal` fires (the request was answered 503), the parts still queued are withdrawn and
   * the promise rejects with its reason: the queue then only ever holds requests someone still waits
   * for, which the in-flight budget bounds, instead of growing with every retry of a timed-out request
   * while the broker is down. A part already in flight may still land (its retry is de-duplicated).
   */
  publish(messages: M[], withdrawal?: Withdrawal): Promise<void> {
    if (withdrawal?.reason) return Promise.reject(withdrawal.reason);
    const pending: Pending<M>[] = [];
    const parts = chunk(messages, this.maxBytes).map(
      (part) =>
        new Promise<void>((resolve, reject) => {
          const p = { messages: part.messages, bytes: part.bytes, resolve, reject };
          pending.push(p);
          this.queue.push(p);
          this.queuedBytes += part.bytes;
        }),
    );
    this.pump();
    withdrawal?.on((reason) => this.withdraw(pending, reason));
    return parts.length === 1 ? parts[0] : Promise.all(parts).then(() => undefined);
  }

  /** Messages queued and not yet sent (in flight excluded). */
  get queuedMessages(): number {
    return this.queue.reduce((n, p) => n + p.messages.length, 0);
  }

  private withdraw(pending: Pending<M>[], reason: Error): void {
    for (const p of pending) {
      const i = this.queue.indexOf(p);
      if (i < 0) continue; // in flight or done
      this.queue.splice(i, 1);
      this.queuedBytes -= p.bytes;
      p.reject(reason);
    }
    this.pump(); // wakes drain() if that emptied the queue
  }

  /** Value bytes handed in and not yet acknowledged (queued or in flight): where a new request would wait least. */
  get backlogBytes(): number {
    return this.queuedBytes + this.sendingBytes;
  }

  /** Resolves once every message handed in so far is acknowledged or failed: shutdown awaits it. */
  drain(): Promise<void> {
    if (!this.sending && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    if (this.sending) return;
    if (this.queue.length === 0) {
      this.idle.splice(0).forEach((resolve) => resolve());
      return;
    }
    const batch: Pending<M>[] = [this.queue.shift()!];
    let bytes = batch[0].bytes;
    while (this.queue.length > 0 && bytes + this.queue[0].bytes <= this.maxBytes) {
      const next = this.queue.shift()!;
      bytes += next.bytes;
      batch.push(next);
    }
    this.sending = true;
    this.queuedBytes -= bytes;
    this.sendingBytes = bytes;
    const messages = batch.length === 1 ? batch[0].messages : batch.flatMap((p) => p.messages);
    this.send(messages)
      .then(
        () => batch.forEach((p) => p.resolve()),
        (err: unknown) => batch.forEach((p) => p.reject(err)),
      )
      .finally(() => {
        this.sending = false;
        this.sendingBytes = 0;
        this.pump();
      })
      .catch(() => undefined);
  }
}

function chunk<M extends OutgoingMessage>(messages: M[], maxBytes: number): { messages: M[]; bytes: number }[] {
  const parts: { messages: M[]; bytes: number }[] = [];
  let current: { messages: M[]; bytes: number } = { messages: [], bytes: 0 };
  for (const m of messages) {
    if (current.messages.length > 0 && current.bytes + m.value.length > maxBytes) {
      parts.push(current);
      current = { messages: [], bytes: 0 };
    }
    current.messages.push(m);
    current.bytes += m.value.length;
  }
  parts.push(current);
  return parts;
}
