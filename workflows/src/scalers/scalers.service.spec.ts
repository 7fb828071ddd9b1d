import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_POLICY, ScalingTarget } from '@smartscale/contracts';
import { loadWorkerConfig } from '../config/worker.config';
import type { KedaDecisions } from '../keda/keda-decisions';
import { LocalSupervisorScaler } from './local-supervisor.scaler';
import { scalerKey, ScalersService } from './scalers.service';
import { WebhookScaler } from './webhook.scaler';

jest.setTimeout(30_000);

const dir = mkdtempSync(join(tmpdir(), 'smartscale-scalers-'));
// A stand-in replica: a process that idles until SIGTERM, as an aggregator replica would.
const entry = join(dir, 'replica.js');
writeFileSync(entry, "setInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0));");
const config = loadWorkerConfig({
  SMARTSCALE_ROOT: dir,
  SMARTSCALE_LOCAL_SCALER_ENTRY: entry,
  SMARTSCALE_LOCAL_SCALER_STATE_DIR: join(dir, 'run'),
});
const target = (id: string, scaler: ScalingTarget['scaler']): ScalingTarget => ({
  id,
  service: id,
  scaler,
  policy: { ...DEFAULT_POLICY, minReplicas: 0 },
});

describe(ScalersService.name, () => {
  const service = new ScalersService(config, {} as KedaDecisions);
  afterAll(() => service.onApplicationShutdown());

  it('keys a scaler by the whole spec: the same target id with another URL or kind gets a new scaler', async () => {
    const a = await service.forTarget(target('shop', { kind: 'webhook', url: 'http://127.0.0.1:9/a' }));
    expect(await service.forTarget(target('shop', { kind: 'webhook', url: 'http://127.0.0.1:9/a' }))).toBe(a);
    const b = await service.forTarget(target('shop', { kind: 'webhook', url: 'http://127.0.0.1:9/b' }));
    expect(b).not.toBe(a);
    expect(b).toBeInstanceOf(WebhookScaler);
    const local = await service.forTarget(target('shop', { kind: 'local' }));
    expect(local).toBeInstanceOf(LocalSupervisorScaler);
    await service.release('shop');
  });

  it('stops the processes of a removed local target and forgets its state', async () => {
    const scaler = (await service.forTarget(target('gone', { kind: 'local' }))) as LocalSupervisorScaler;
    await scaler.apply(2, 'k1');
    const pids = (scaler as unknown as { children: { pid: number }[] }).children.map((c) => c.pid);
    expect(pids).toHaveLength(2);
    const stateFile = join(dir, 'run', 'scaler-gone.json');
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toEqual({ replicas: 2, appliedKeys: ['k1'] });
    await service.release('gone');
    expect(pids.filter(alive)).toEqual([]);
    expect(existsSync(stateFile)).toBe(false);
    // added again: starts from its policy, not the old count
    const again = await service.forTarget(target('gone', { kind: 'local' }));
    expect(await again.current()).toBe(0);
    await service.release('gone');
  });

  it('orders the spec key so equal specs match whatever their key order', () => {
    expect(scalerKey({ kind: 'kubernetes', namespace: 'a', resource: 'deployment', name: 'b' })).toBe(
      scalerKey({ name: 'b', resource: 'deployment', namespace: 'a', kind: 'kubernetes' } as ScalingTarget['scaler']),
    );
  });
});

describe(LocalSupervisorScaler.name, () => {
  const stateDir = join(dir, 'atomic');
  const options = { targetId: 'atomic', entry, stateDir, initialReplicas: 0, env: process.env };

  it('writes its state file atomically (no temp file left) and starts afresh from a torn one', async () => {
    const scaler = new LocalSupervisorScaler(options);
    await scaler.apply(1, 'k1');
    await scaler.close();
    expect(readdirSync(stateDir).filter((f) => f.endsWith('.json.tmp'))).toEqual([]);
    expect(JSON.parse(readFileSync(join(stateDir, 'scaler-atomic.json'), 'utf8')).replicas).toBe(1);
    writeFileSync(join(stateDir, 'scaler-atomic.json'), '{"replicas": 1, "appliedK');
    const reopened = new LocalSupervisorScaler(options);
    await reopened.start();
    expect(await reopened.current()).toBe(0);
    await reopened.close();
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
