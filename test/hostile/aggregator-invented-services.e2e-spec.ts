import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import type { TelemetryEvent } from '@smartscale/contracts';
import { eventually, freePort } from '@smartscale/testing';
import { loadPredictorConfig } from '../../apps/predictor/src/config/predictor.config';
import { ModelsService } from '../../apps/predictor/src/forecast/models.service';
import { PredictorMetrics } from '../../apps/predictor/src/forecast/predictor-metrics';
import { WindowIntake } from '../../apps/predictor/src/forecast/window-intake';
import { PARTITIONS } from '../aggregator/harness';
import { aggregatorSuite, compare, scrape, startAggregator, SteadyLoad, WINDOW_MS } from './aggregator-support';

// Issue 18, "any client can invent unlimited service names": 5,000 invented services, one event each,
// beside steady load on checkout, through a real aggregator. Its per-service state and its zero windows
// for them must stop after SMARTSCALE_SERVICE_IDLE_MS; the predictor's bookkeeping (its WindowIntake,
// ModelsService and PredictorMetrics, fed the windows read back from the broker) must hold at most its
// model cap, keep checkout's model, and be back to checkout alone, series included, after its idle time.
jest.setTimeout(120_000);

const INVENTED = 5_000;
const SERVICE_IDLE_MS = 3_000;
const MODEL_IDLE_MS = 4_000;
const MAX_MODELS = 1_000;

describe('the aggregator and the predictor against 5,000 invented services', () => {
  const { h, writer, children } = aggregatorSuite('hostile-names');

  it('forgets them after the idle time: no more zero windows, state and series back to checkout alone', async () => {
    const port = await freePort();
    children.push(startAggregator(h, 'agg-names', port, { SMARTSCALE_SERVICE_IDLE_MS: String(SERVICE_IDLE_MS) }));
    const config = loadPredictorConfig({
      SMARTSCALE_WINDOW_MS: String(WINDOW_MS),
      SMARTSCALE_PREDICTOR_MODEL_IDLE_MS: String(MODEL_IDLE_MS),
      SMARTSCALE_PREDICTOR_MAX_MODELS: String(MAX_MODELS),
    });
    const registry = new Registry();
    const models = new ModelsService(config);
    const intake = new WindowIntake(models, new PredictorMetrics(registry));
    let fed = 0;
    let peakModels = 0;
    const feed = (): void => {
      for (; fed < h.metrics.length; fed++) intake.take(h.metrics[fed], Date.now());
      peakModels = Math.max(peakModels, models.size);
    };

    const load = new SteadyLoad(writer, 0, 'checkout', 10);
    load.start();
    await eventually("checkout's first window", () => (feed(), models.has('checkout')), 30_000, 100);

    const sentAt = Date.now();
    const invented: TelemetryEvent[] = [...Array(INVENTED).keys()].map((i) => ({
      v: 1,
      id: `inv-${i}`,
      service: `invented-${i}`,
      type: 'request',
      time: sentAt,
    }));
    for (let p = 0; p < PARTITIONS; p++)
      await writer.send(
        p,
        invented.filter((_, i) => i % PARTITIONS === p),
      );
    let peakServices = 0;
    await eventually(
      'every invented service evicted by the aggregator',
      async () => {
        feed();
        const services = (await scrape(port, 'smartscale_aggregator_services')) ?? 0;
        peakServices = Math.max(peakServices, services);
        return services <= 1 && ((await scrape(port, 'smartscale_aggregator_services_evicted_total')) ?? 0) >= INVENTED;
      },
      40_000,
      200,
    );
    const evictedAfterMs = Date.now() - sentAt;
    const rss = await scrape(port, 'process_resident_memory_bytes');

    // Their windows stopped; checkout's keep coming, fed as they are read.
    for (const until = Date.now() + MODEL_IDLE_MS + 1_500; Date.now() < until; await sleep(100)) feed();
    intake.sweep(Date.now());
    await load.stop();
    const lastFull = load.fullWindows().at(-1) ?? 0;
    await eventually(
      "checkout's last full window",
      () => h.metrics.some((m) => m.service === 'checkout' && m.windowStart === lastFull),
      20_000,
    );

    const inventedWindows = h.metrics.filter((m) => m.service.startsWith('invented-'));
    const lastInventedStart = Math.max(...inventedWindows.map((m) => m.windowStart));
    const seriesServices = new Set(
      (await registry.getMetricsAsJSON()).flatMap((m) => m.values.map((v) => v.labels.service)).filter((s) => s !== undefined),
    );
    const refusedAtCap =
      (await registry.getSingleMetric('smartscale_predictor_windows_refused_total')?.get())?.values.find(
        (v) => v.labels.reason === 'model_cap',
      )?.value ?? 0;
    process.stdout.write(
      `aggregator-invented-services: aggregator services peak ${peakServices}, all evicted ${evictedAfterMs} ms after the burst, rss ${rss === undefined ? '?' : Math.round(rss / 2 ** 20)} MiB; ` +
        `${inventedWindows.length} invented windows, the last starting ${lastInventedStart - sentAt} ms after their event; ` +
        `predictor models peak ${peakModels}, ${refusedAtCap} windows refused at the cap, models after idle [${models.services().join(', ')}], series [${[...seriesServices].join(', ')}]\n`,
    );
    expect(peakServices).toBeGreaterThan(INVENTED);
    expect(lastInventedStart).toBeLessThanOrEqual(sentAt + SERVICE_IDLE_MS);
    expect(inventedWindows.length).toBeLessThanOrEqual(INVENTED * (SERVICE_IDLE_MS / WINDOW_MS + 2));
    expect(peakModels).toBeLessThanOrEqual(MAX_MODELS);
    expect(refusedAtCap).toBeGreaterThan(0);
    expect(models.services()).toEqual(['checkout']);
    expect([...seriesServices]).toEqual(['checkout']);
    expect(compare(h.metrics, load)).toEqual({ wrong: [], fromTheFuture: [] });
  });
});
