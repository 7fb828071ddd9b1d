import { CoalescingPublisher, OutgoingMessage, Withdrawal } from './coalescing-publisher';

const msg = (value: string): OutgoingMessage => ({ key: 'svc', value, timestamp: '0' });

/** A broker whose sends complete when the test says so. */
class ManualBroker {
  sends: { messages: string[]; done: (err?: Error) => void }[] = [];
  send = (messages: OutgoingMessage[]): Promise<void> =>
    new Promise((resolve, reject) =>
      this.sends.push({ messages: messages.map((m) => m.value), done: (err) => (err ? reject(err) : resolve()) }),
    );
}

/** Lets the publisher's settle-then-send chain run. */
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

const settled = async <T>(p: Promise<T>): Promise<'pending' | 'resolved' | 'rejected'> => {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  p.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  await new Promise((r) => setImmediate(r));
  return state;
};

describe(CoalescingPublisher.name, () => {
  it('sends at once when idle, and groups what arrives during a send into the next one', async () => {
    const broker = new ManualBroker();
    const pub = new CoalescingPublisher(broker.send, 1000);
    const a = pub.publish([msg('a')]);
    const b = pub.publish([msg('b1'), msg('b2')]);
    const c = pub.publish([msg('c')]);
    expect(broker.sends.map((s) => s.messages)).toEqual([['a']]);
    broker.sends[0].done();
    expect(await settled(a)).toBe('resolved');
    expect(await settled(b)).toBe('pending');
    expect(broker.sends.map((s) => s.messages)).toEqual([['a'], ['b1', 'b2', 'c']]);
    broker.sends[1].done();
    expect([await settled(b), await settled(c)]).toEqual(['resolved', 'resolved']);
  });

  it('counts unacknowledged bytes, queued and in flight, down to zero once acknowledged or failed', async () => {
    const broker = new ManualBroker();
    const pub = new CoalescingPublisher(broker.send, 1000);
    expect(pub.backlogBytes).toBe(0);
    const a = pub.publish([msg('aaaa')]);
    const b = pub.publish([msg('bb'), msg('b')]);
    expect(pub.backlogBytes).toBe(7);
    broker.sends[0].done();
    await settled(a);
    expect(pub.backlogBytes).toBe(3); // b's send in flight
    broker.sends[1].done(new Error('broker gone'));
    await settled(b);
    expect(pub.backlogBytes).toBe(0);
  });

  it('fails exactly the requests of a failed send and carries on with the next', async () => {
    const broker = new ManualBroker();
    const pub = new CoalescingPublisher(broker.send, 1000);
    const a = pub.publish([msg('a')]);
    const b = pub.publish([msg('b')]);
    broker.sends[0].done(new Error('broker down'));
    await expect(a).rejects.toThrow('broker down');
    expect(await settled(b)).toBe('pending');
    broker.sends[1].done();
    await expect(b).resolves.toBeUndefined();
  });

  it('bounds a send in bytes, splitting a large request in order and resolving it after its last part', async () => {
    const broker = new ManualBroker();
    const pub = new CoalescingPublisher(broker.send, 4);
    const big = pub.publish([msg('p1'), msg('p2'), msg('p3')]);
    expect(broker.sends.map((s) => s.messages)).toEqual([['p1', 'p2']]);
    broker.sends[0].done();
    await tick();
    expect(await settled(big)).toBe('pending');
    expect(broker.sends[1].messages).toEqual(['p3']);
    broker.sends[1].done();
    await expect(big).resolves.toBeUndefined();
  });

  it('groups requests up to the byte bound and sends one oversized message alone', async () => {
    const broker = new ManualBroker();
    const pub = new CoalescingPublisher(broker.send, 4);
    const first = pub.publish([msg('xx')]);
    const rest = [pub.publish([msg('123456')]), pub.publish([msg('ab')]), pub.publish([msg('cd')])];
    broker.sends[0].done();
    await first;
    await tick();
    expect(broker.sends[1].messages).toEqual(['123456']);
    broker.sends[1].done();
    await rest[0];
    await tick();
    expect(broker.sends[2].messages).toEqual(['ab', 'cd']);
    broker.sends[2].done();
    await Promise.all(rest);
  });

  it('drains: resolves only once everything handed in is settled', async () => {
    const broker = new ManualBroker();
    const pub = new CoalescingPublisher(broker.send, 1000);
    await expect(pub.drain()).resolves.toBeUndefined();
    const a = pub.publish([msg('a')]);
    const b = pub.publish([msg('b')]);
    const drained = pub.drain();
    broker.sends[0].done();
    await a;
    expect(await settled(drained)).toBe('pending');
    await tick();
    broker.sends[1].done(new Error('down'));
    await expect(b).rejects.toThrow('down');
    expect(await settled(drained)).toBe('resolved');
  });

  it('withdraws the queued parts of a request whose caller stopped waiting (answered 503), so retries do not pile up', async () => {
    const broker = new ManualBroker();
    const pub = new CoalescingPublisher(broker.send, 1000);
    const inFlight = pub.publish([msg('a')]);
    const timedOut = new Withdrawal();
    const late = pub.publish([msg('b1'), msg('b2')], timedOut);
    const waiting = pub.publish([msg('c')]);
    expect(pub.queuedMessages).toBe(3);
    timedOut.fire(new Error('the broker did not acknowledge within 5 ms'));
    expect(await settled(late)).toBe('rejected');
    await expect(late).rejects.toThrow(/did not acknowledge/);
    expect(pub.queuedMessages).toBe(1);
    expect(pub.backlogBytes).toBe(2); // 'a' in flight, 'c' queued
    broker.sends[0].done();
    expect(await settled(inFlight)).toBe('resolved');
    expect(broker.sends.map((s) => s.messages)).toEqual([['a'], ['c']]);
    broker.sends[1].done();
    expect(await settled(waiting)).toBe('resolved');
    await pub.drain();
  });

  it('refuses at once when already withdrawn, and drain() resolves once withdrawals emptied the queue', async () => {
    const broker = new ManualBroker();
    const pub = new CoalescingPublisher(broker.send, 1000);
    const gone = new Withdrawal();
    gone.fire(new Error('late'));
    await expect(pub.publish([msg('x')], gone)).rejects.toThrow('late');
    expect(broker.sends).toEqual([]);
    const first = pub.publish([msg('a')]);
    const queued = new Withdrawal();
    const second = pub.publish([msg('b')], queued);
    const drained = pub.drain();
    queued.fire(new Error('503'));
    await expect(second).rejects.toThrow('503');
    broker.sends[0].done();
    await first;
    expect(await settled(drained)).toBe('resolved');
    expect(broker.sends.map((s) => s.messages)).toEqual([['a']]);
  });
});
