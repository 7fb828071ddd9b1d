import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { z } from 'zod';
import { DEFAULT_POLICY, workflowIdFor } from '@smartscale/contracts';
import { loadWorkerConfig } from '../config/worker.config';
import type { ScalersService } from '../scalers/scalers.service';
import type { TemporalClientProvider } from '../worker/temporal-client.provider';
import { TargetsService } from './targets.service';

type Listed = { workflowId: string; runId: string; status: { name: string }; memo?: Record<string, unknown> };

/** Temporal's client reduced to what TargetsService calls: a visibility list, describe and start. */
function fakeTemporal(listed: Listed[], latestRun: Record<string, string>) {
  const started: string[] = [];
  const client = {
    workflow: {
      list: () =>
        (async function* () {
          yield* listed;
        })(),
      getHandle: (id: string) => ({
        describe: async () => ({ runId: latestRun[id], status: { name: 'FAILED' } }),
        terminate: async () => undefined,
      }),
      start: async (_type: string, o: { workflowId: string }) => {
        if (started.includes(o.workflowId)) throw new WorkflowExecutionAlreadyStartedError('running', o.workflowId, 'x');
        started.push(o.workflowId);
      },
    },
  };
  return { provider: { client: async () => client } as unknown as TemporalClientProvider, started };
}

describe(TargetsService.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'smartscale-controllers-'));
  writeFileSync(join(dir, 'targets.json'), '[]');
  const config = loadWorkerConfig({ SMARTSCALE_ROOT: dir, SMARTSCALE_TARGETS_FILE: 'targets.json', SMARTSCALE_MAX_TARGETS: '2' });
  const released: string[] = [];
  const scalers = { release: async (id: string) => void released.push(id) } as unknown as ScalersService;
  const memo = (service: string, over: Record<string, unknown> = {}) => ({
    service,
    scaler: { kind: 'webhook', url: 'http://127.0.0.1:9/x' },
    policy: DEFAULT_POLICY,
    ...over,
  });

  it('finds running controllers, starts again one whose latest run failed, and skips bad memos and superseded runs', async () => {
    const { provider, started } = fakeTemporal(
      [
        { workflowId: workflowIdFor('alive'), runId: 'r1', status: { name: 'RUNNING' }, memo: memo('alive') },
        { workflowId: workflowIdFor('crashed'), runId: 'r2', status: { name: 'FAILED' }, memo: memo('crashed') },
        { workflowId: workflowIdFor('superseded'), runId: 'old', status: { name: 'FAILED' }, memo: memo('superseded') },
        {
          workflowId: workflowIdFor('forged'),
          runId: 'r3',
          status: { name: 'RUNNING' },
          memo: memo('forged', { scaler: { kind: 'webhook', url: 'file:///etc/passwd' } }),
        },
        {
          workflowId: workflowIdFor('huge'),
          runId: 'r4',
          status: { name: 'FAILED' },
          memo: memo('huge', { scaler: { kind: 'local' }, policy: { ...DEFAULT_POLICY, maxReplicas: 1000 } }),
        },
      ],
      { [workflowIdFor('crashed')]: 'r2', [workflowIdFor('superseded')]: 'newer', [workflowIdFor('huge')]: 'r4' },
    );
    const service = new TargetsService(config, provider, scalers);
    await service.onApplicationBootstrap();
    expect(service.ids()).toEqual(['alive', 'crashed']);
    expect(started).toEqual([workflowIdFor('crashed')]);
  });

  it('refuses a target past SMARTSCALE_MAX_TARGETS as a schema error (a 400 at the REST edge) and releases a removed one', async () => {
    const { provider } = fakeTemporal([], {});
    const service = new TargetsService(config, provider, scalers);
    const t = (id: string) => ({ id, service: id, scaler: { kind: 'webhook', url: 'http://127.0.0.1:9/x' } });
    await service.create(t('one'));
    await service.create(t('two'));
    const err = await service.create(t('three')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(z.ZodError);
    expect((err as z.ZodError).issues[0].message).toMatch(/at most 2 targets \(SMARTSCALE_MAX_TARGETS\)/);
    await service.remove('one', 'test');
    expect(released).toEqual(['one']);
    await expect(service.create(t('three'))).resolves.toMatchObject({ id: 'three' });
  });
});
