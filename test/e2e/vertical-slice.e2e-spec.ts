import {
  ControllerStatus,
  Decision,
  statusQuery,
  TelemetryEvent,
  TOPICS,
  windowKind,
  WindowMetric,
  workflowIdFor,
} from '@smartscale/contracts';
import { eventually, TopicProbe } from '@smartscale/testing';
import { runLoad } from '../../tools/loadgen/loadgen';
import { LocalStack, SLICE_POLICY, startLocalStack, WINDOW_MS } from './local-stack';

// The walking skeleton end to end, on the real broker and the real Temporal dev server that
// `npm test` starts: HTTP events → events topic → aggregator replicas (real processes, spawned by the
// local scaler) → metrics topic → predictor → controller workflow → scale up → pause stops scaling.
jest.setTimeout(240_000);

describe('the vertical slice', () => {
  let stack: LocalStack;
  let RUN: string;
  let ingestUrl: string;
  let controlUrl: string;
  let brokers: string[];

  beforeAll(async () => {
    stack = await startLocalStack(SLICE_POLICY);
    ({ run: RUN, ingestUrl, controlUrl, brokers } = stack);
  });
  afterAll(() => stack?.close());

  const status = async (): Promise<ControllerStatus> =>
    (await fetch(`${controlUrl}/v1/targets/${RUN}`)).json() as Promise<ControllerStatus>;

  it('answers 400 with every offending index, and stores nothing of a bad batch', async () => {
    const res = await fetch(`${ingestUrl}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { service: RUN, type: 'request', time: Date.now() },
        { service: RUN, type: 'nope', time: Date.now() },
      ]),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { issues: unknown[] }).issues).toEqual([expect.objectContaining({ index: 1, path: 'type' })]);
  });

  it('adds a target through the control API, runs its controller, and removes it', async () => {
    const id = `${RUN}-api`;
    const post = (body: unknown) =>
      fetch(`${controlUrl}/v1/targets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const created = await post({
      id,
      service: id,
      scaler: { kind: 'webhook', url: 'http://127.0.0.1:9/never' },
      policy: { mode: 'recommend', tickIntervalMs: 1_000 },
    });
    expect(created.status).toBe(201);
    expect((await post({ id, service: id, scaler: { kind: 'local' } })).status).toBe(409);
    const handle = stack.temporal.workflow.getHandle(workflowIdFor(id));
    const s = await eventually(
      'the new controller deciding',
      async () => (await handle.query(statusQuery)).seq > 0 && handle.query(statusQuery),
    );
    expect(s.policy.mode).toBe('recommend');
    expect(((await (await fetch(`${controlUrl}/v1/targets`)).json()) as ControllerStatus[]).map((t) => t.targetId).sort()).toEqual(
      [RUN, id].sort(),
    );
    expect((await fetch(`${controlUrl}/v1/targets/${id}`, { method: 'DELETE' })).status).toBe(202);
    expect((await handle.describe()).status.name).toBe('TERMINATED');
    expect((await fetch(`${controlUrl}/v1/targets/${id}`)).status).toBe(404);
  });

  it('stores every accepted event, emits windows, scales up on a spike, and stops scaling once paused', async () => {
    const events = await TopicProbe.open<TelemetryEvent>(brokers, TOPICS.events, RUN);
    const metrics = await TopicProbe.open<WindowMetric>(brokers, TOPICS.metrics, RUN);
    try {
      const spike = await runLoad({
        url: ingestUrl,
        service: RUN,
        shape: { kind: 'constant', rate: 40 },
        durationSeconds: 12,
        batchSize: 20,
        errorRate: 0.1,
      });
      expect(spike.failed + spike.rejected).toBe(0);

      // Accepted means stored: every acknowledged id is on the events topic.
      await eventually('every accepted event on the topic', () => events.records.length >= spike.accepted);
      expect(new Set(events.records.map((e) => e.id))).toEqual(new Set(spike.ids));

      const busy = await eventually('a closed window with traffic', () =>
        metrics.records.find((m) => m.count > 0 && windowKind(m) === 'tumbling'),
      );
      expect(busy.windowEnd - busy.windowStart).toBe(WINDOW_MS);
      // The hopping windows ride along on the same topic, and stay out of the history.
      const hop = await eventually('a closed hopping window with traffic', () =>
        metrics.records.find((m) => m.count > 0 && m.kind === 'hopping'),
      );
      expect(hop.windowEnd - hop.windowStart).toBe(60_000);

      const up = await eventually('an applied scale-up', async () => {
        const decisions = (await (await fetch(`${controlUrl}/v1/targets/${RUN}/decisions`)).json()) as Decision[];
        return decisions.find((d) => d.action === 'up' && d.applied && d.from >= 1);
      });
      expect(up.to).toBeGreaterThan(up.from);
      expect(up.to).toBeLessThanOrEqual(3);

      // The SQL history holds the same decision with its workflow, and the windows by service and time.
      const stored = (await (await fetch(`${controlUrl}/v1/targets/${RUN}/history?from=${up.at}`)).json()) as (Decision & {
        workflowId: string;
      })[];
      expect(stored.find((d) => d.seq === up.seq)).toMatchObject({
        action: 'up',
        from: up.from,
        to: up.to,
        applied: true,
        workflowId: workflowIdFor(RUN),
      });
      const windows = await eventually('the busy window in the SQL history', async () => {
        const res = await fetch(`${controlUrl}/v1/services/${RUN}/windows?from=${busy.windowStart}&to=${busy.windowEnd + 1}`);
        const rows = (await res.json()) as WindowMetric[];
        return rows.find((w) => w.windowStart === busy.windowStart);
      });
      expect(windows).toMatchObject({ count: busy.count, eventsPerSecond: busy.eventsPerSecond, partition: busy.partition });
      const history = await eventually("the hopping window's period in the SQL history", async () => {
        const rows = (await (
          await fetch(`${controlUrl}/v1/services/${RUN}/windows?from=${hop.windowStart}&to=${hop.windowEnd + 1}`)
        ).json()) as WindowMetric[];
        return rows.some((w) => w.windowEnd >= hop.windowEnd) && rows;
      });
      expect(history.every((w) => w.windowEnd - w.windowStart === WINDOW_MS)).toBe(true);
      expect((await fetch(`${controlUrl}/v1/targets/${RUN}/history?from=yesterday`)).status).toBe(400);

      const pause = await fetch(`${controlUrl}/v1/targets/${RUN}/pause`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'e2e' }),
      });
      expect(pause.status).toBe(202);
      const handle = stack.temporal.workflow.getHandle(workflowIdFor(RUN));
      await eventually('the workflow reports paused', async () => (await handle.query(statusQuery)).paused?.reason === 'e2e');
      // A tick already observing when the signal arrived may still record its decision (never applied).
      let last = -1;
      const paused = await eventually(
        'no tick in flight',
        async () => {
          const s = await status();
          const settled = s.seq === last;
          last = s.seq;
          return settled && s;
        },
        30_000,
        2_500,
      );

      // Load that would scale further (max 3) arrives while paused: nothing is decided or applied.
      const more = await runLoad({
        url: ingestUrl,
        service: RUN,
        shape: { kind: 'constant', rate: 60 },
        durationSeconds: 6,
        batchSize: 30,
        errorRate: 0,
      });
      expect(more.accepted).toBe(more.sent);
      await eventually('windows of the paused period', () =>
        metrics.records.some((m) => windowKind(m) === 'tumbling' && m.windowStart > paused.lastDecision!.at),
      );
      const after = await handle.query(statusQuery);
      expect(after.seq).toBe(paused.seq);
      expect(after.currentReplicas).toBe(paused.currentReplicas);
    } finally {
      await Promise.all([events.close(), metrics.close()]);
    }
  });
});
