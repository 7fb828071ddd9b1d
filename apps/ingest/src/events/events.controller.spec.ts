import { Test } from '@nestjs/testing';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Registry } from 'prom-client';
import type { TelemetryEvent } from '@smartscale/contracts';
import { EVENT_SINK, EventSink } from './event-sink.adapter';
import { EventsController } from './events.controller';
import { CLOCK, EventsService } from './events.service';
import { IngestMetrics } from './ingest-metrics';

const NOW = Date.parse('2026-11-23T12:00:00Z');

/** The sink is the broker adapter, replaced here; the HTTP contract and validation are under test. */
class RecordingSink implements EventSink {
  stored: TelemetryEvent[] = [];
  down = false;
  async publish(events: TelemetryEvent[]): Promise<void> {
    if (this.down) throw new Error('KafkaJSNumberOfRetriesExceeded');
    this.stored.push(...events);
  }
  async ready(): Promise<boolean> {
    return !this.down;
  }
}

describe(EventsController.name, () => {
  let app: NestFastifyApplication;
  const sink = new RecordingSink();
  const post = (payload: unknown) => app.inject({ method: 'POST', url: '/v1/events', payload: payload as object });

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [EventsController],
      providers: [
        EventsService,
        { provide: EVENT_SINK, useValue: sink },
        { provide: CLOCK, useValue: () => NOW },
        { provide: IngestMetrics, useValue: new IngestMetrics(new Registry()) },
      ],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());
  beforeEach(() => {
    sink.stored = [];
    sink.down = false;
  });

  it('accepts one event, normalises an ISO time to epoch ms and assigns an id', async () => {
    const res = await post({ service: 'checkout', type: 'request', time: '2026-11-23T11:59:00Z', latencyMs: 12 });
    expect(res.statusCode).toBe(202);
    expect(sink.stored).toEqual([expect.objectContaining({ v: 1, service: 'checkout', time: NOW - 60_000, id: res.json().ids[0] })]);
  });

  it('keeps a client-supplied id so that retries can be de-duplicated', async () => {
    await post([{ id: 'retry-1', service: 'checkout', type: 'click', time: NOW }]);
    expect(sink.stored[0].id).toBe('retry-1');
  });

  it('rejects a mixed batch whole, listing every offending index and reason', async () => {
    const res = await post([
      { service: 'checkout', type: 'request', time: NOW },
      { service: 'checkout', type: 'metric', time: NOW },
      { service: 'bad name!', type: 'request', time: NOW },
    ]);
    expect(res.statusCode).toBe(400);
    expect(res.json().issues.map((i: { index: number; path: string }) => `${i.index}:${i.path}`)).toEqual(['1:name', '2:service']);
    expect(sink.stored).toEqual([]);
  });

  it('rejects an event more than an hour in the future', async () => {
    const res = await post({ service: 'checkout', type: 'request', time: NOW + 61 * 60_000 });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues[0].message).toMatch(/future/);
  });

  it('rejects unknown fields and an empty batch', async () => {
    expect((await post({ service: 'checkout', type: 'request', time: NOW, extra: 1 })).statusCode).toBe(400);
    expect((await post([])).statusCode).toBe(400);
  });

  it('answers 503 with Retry-After when the broker does not acknowledge, claiming nothing stored', async () => {
    sink.down = true;
    const res = await post({ service: 'checkout', type: 'request', time: NOW });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
  });
});
