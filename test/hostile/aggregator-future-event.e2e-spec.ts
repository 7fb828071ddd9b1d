import { setTimeout as sleep } from 'node:timers/promises';
import { eventually, freePort } from '@smartscale/testing';
import { exited } from '../aggregator/harness';
import { aggregatorSuite, compare, scrape, startAggregator, SteadyLoad } from './aggregator-support';

// Issue 18, "one event blinds a busy service": steady load on checkout through a real aggregator, then
// one event of another service on checkout's partition dated 110 s ahead (inside the 120 s bound) and
// one dated 59 min ahead (beyond it). Checkout's windows must keep their true counts, none may end after
// it was emitted, the far event is dead-lettered and counted; and the same after a restart, which
// replays from the held event's offset with the checkpoint the first process committed.
jest.setTimeout(90_000);

const PARTITION = 0;
const PER_SECOND = 20;

describe('the aggregator against one event dated ahead', () => {
  const { h, writer, children } = aggregatorSuite('hostile-future');

  it("keeps checkout's windows true, dead-letters the far event, and stays right across a restart", async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const first = startAggregator(h, 'agg-a', portA);
    children.push(first);
    const load = new SteadyLoad(writer, PARTITION, 'checkout', PER_SECOND);
    load.start();
    await eventually("checkout's first windows", () => h.metrics.some((m) => m.service === 'checkout' && m.count > 0), 30_000);
    await sleep(3_000);

    const now = Date.now();
    const near = { v: 1 as const, id: 'near', service: 'intruder-near', type: 'request' as const, time: now + 110_000 };
    const far = { v: 1 as const, id: 'far', service: 'intruder-far', type: 'request' as const, time: now + 3_540_000 };
    await writer.send(PARTITION, [near]);
    const farOffset = await writer.send(PARTITION, [far]);
    await sleep(5_000);

    const refusedA = await scrape(portA, 'smartscale_aggregator_refused_events_total');
    const aheadA = await scrape(portA, 'smartscale_aggregator_ahead_events_total');
    first.kill('SIGTERM');
    await exited(first);
    const second = startAggregator(h, 'agg-b', portB);
    children.push(second);
    await eventually(
      'the second aggregator claims the partition',
      () => h.log.some((l) => l.startsWith('[agg-b]') && /claimed partition/.test(l)),
      30_000,
    );
    await sleep(6_000);
    await load.stop();
    const lastFull = load.fullWindows().at(-1) ?? 0;
    await eventually(
      "checkout's last full window",
      () => h.metrics.some((m) => m.service === 'checkout' && m.windowStart === lastFull),
      20_000,
    );

    const { wrong, fromTheFuture } = compare(h.metrics, load);
    const checkout = h.metrics.filter((m) => m.service === 'checkout' && load.fullWindows().includes(m.windowStart));
    process.stdout.write(
      `aggregator-future-event: ${load.sent.length} checkout events, ${checkout.length} full windows (${Math.min(...checkout.map((m) => m.count))}-${Math.max(...checkout.map((m) => m.count))} events), ` +
        `refused ${refusedA}, ahead ${aheadA}, dead letters [${h.deadLetters.join(', ')}], wrong ${wrong.length}, from the future ${fromTheFuture.length}\n`,
    );
    expect(wrong).toEqual([]);
    expect(checkout.some((m) => m.count === 0)).toBe(false);
    expect(fromTheFuture).toEqual([]);
    expect(h.metrics.filter((m) => m.service.startsWith('intruder'))).toEqual([]); // the near one's window is still ahead
    expect(h.deadLetters).toEqual([`${h.topics.events}/${PARTITION}/${farOffset}`]);
    expect([refusedA, aheadA]).toEqual([1, 1]);
  });
});
