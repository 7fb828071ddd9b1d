import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafka } from '@smartscale/kafka';
import { windowMetric } from '@smartscale/testing';
import type { WorkerConfig } from '../config/worker.config';
import { HistoryService } from './history.service';

jest.setTimeout(60_000);

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

/** The service over a PGlite directory; its batches reader is never started here (no broker). */
function service(dir: string): HistoryService {
  const config = {
    root: dir,
    history: { url: `pglite:${dir}`, retentionMs: 10 * 365 * 86_400_000 },
    kafka: { brokers: ['127.0.0.1:1'], clientId: 'test', aggregatorGroup: 'test' },
    temporal: { taskQueue: 'test' },
  } as unknown as WorkerConfig;
  return new HistoryService(config, createKafka(config.kafka));
}

describe(HistoryService.name, () => {
  it('stores the windows a boot replays only from shortly before the newest one already stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smartscale-history-'));
    const first = service(dir);
    await first.onModuleInit();
    first.takeWindow(windowMetric(T0, { service: 'a', count: 1 }));
    expect(await first.windows('a', {})).toHaveLength(1);
    await first.onApplicationShutdown();

    // The next boot replays the topic: far older windows are skipped, recent ones (a killed worker's buffer) kept.
    const second = service(dir);
    await second.onModuleInit();
    second.takeWindow(windowMetric(T0 - 3_600_000, { service: 'b', emittedAt: T0 - 3_600_000 }));
    second.takeWindow(windowMetric(T0 - 60_000, { service: 'b', emittedAt: T0 - 60_000 }));
    second.takeWindow(windowMetric(T0 + 10_000, { service: 'b', emittedAt: T0 + 10_000 }));
    expect((await second.windows('b', {})).map((w) => w.emittedAt)).toEqual([T0 + 10_000, T0 - 60_000]);
    await second.onApplicationShutdown();
  });
});
