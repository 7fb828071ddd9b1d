import { Inject, Injectable, Module } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';
import { METRICS_REGISTRY, OpsModule } from '@smartscale/ops';
import { exportedMetrics, moduleMetrics } from './exported-metrics';

class ShopMetrics {
  constructor(registry: Registry) {
    new Counter({ name: 'shop_orders_total', help: 'orders', labelNames: ['region'], registers: [registry] });
    new Histogram({ name: 'shop_checkout_seconds', help: 'checkout', buckets: [1], registers: [registry] });
  }
}

@Injectable()
class SneakyConsumer {
  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    new Counter({ name: 'shop_hidden_total', help: 'hidden', registers: [registry] });
  }
}

@Module({ providers: [{ provide: ShopMetrics, inject: [METRICS_REGISTRY], useFactory: (r: Registry) => new ShopMetrics(r) }] })
class ShopModule {}
@Module({ providers: [SneakyConsumer] })
class SneakyModule {}
class ShopApp {}

const app = (...imports: object[]) => ({
  module: ShopApp,
  imports: [OpsModule.forRoot({ app: 'shop', readiness: [] }), ...imports] as never[],
});

describe(moduleMetrics.name, () => {
  it("lists what an app's metric providers register, as Prometheus stores it: histogram suffixes, labels, default metrics", async () => {
    const metrics = await moduleMetrics(app(ShopModule));
    const byName = new Map(metrics.map((m) => [m.family, m]));
    expect(byName.get('shop_orders_total')?.series).toEqual(['shop_orders_total']);
    expect(byName.get('shop_orders_total')?.labels).toEqual(expect.arrayContaining(['region', 'app', 'job', 'instance']));
    expect(byName.get('shop_checkout_seconds')?.series).toEqual([
      'shop_checkout_seconds_bucket',
      'shop_checkout_seconds_sum',
      'shop_checkout_seconds_count',
    ]);
    expect(byName.get('shop_checkout_seconds')?.labels).toContain('le');
    expect(byName.has('process_cpu_seconds_total')).toBe(true);
  });

  it('reports a class that registers metrics on the registry itself, which it cannot list without building it', async () => {
    await expect(moduleMetrics(app(ShopModule, SneakyModule))).rejects.toThrow('SneakyConsumer inject METRICS_REGISTRY directly');
  });
});

describe(exportedMetrics.name, () => {
  it.each(['ingest', 'aggregator', 'predictor', 'worker'] as const)('finds the smartscale_%s_* metrics of the real app', async (name) => {
    const families = (await exportedMetrics(name)).map((m) => m.family);
    expect(families.filter((f) => f.startsWith(`smartscale_${name}_`)).length).toBeGreaterThan(2);
  });
});
