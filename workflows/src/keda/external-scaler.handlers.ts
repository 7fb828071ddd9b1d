import { join } from 'node:path';
import type { sendUnaryData, ServerUnaryCall, ServerWritableStream, ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { loadPackageDefinition, status as Code } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** KEDA's file, unchanged; --copy-files puts it beside the compiled code in dist. */
export const EXTERNAL_SCALER_PROTO = join(__dirname, 'externalscaler.proto');
/** The one metric: the replica count SmartScale chose. With a target of 1 per replica, HPA's AverageValue rule asks for exactly that count. */
export const METRIC_NAME = 'smartscale-replicas';
/** The ScaledObject trigger's metadata key naming the SmartScale target. */
export const TARGET_METADATA_KEY = 'targetId';

export interface ScaledObjectRef {
  name: string;
  namespace: string;
  scalerMetadata: Record<string, string>;
}

/** What the handlers read: the chosen count of a target, and its changes as they are decided. */
export interface ChosenCounts {
  /** Throws UnknownTarget for a target this worker does not know. */
  count(targetId: string): Promise<{ replicas: number; tickMs: number }>;
  subscribe(targetId: string, fn: (replicas: number) => void): () => void;
}

export class UnknownTarget extends Error {}

/** The service definition from KEDA's proto, loaded once. Field names kept as written there (keepCase). */
export function externalScalerService(): ServiceDefinition {
  const definition = loadSync(EXTERNAL_SCALER_PROTO, { keepCase: true, longs: Number, defaults: true });
  const pkg = loadPackageDefinition(definition) as unknown as { externalscaler: { ExternalScaler: { service: ServiceDefinition } } };
  return pkg.externalscaler.ExternalScaler.service;
}

type GrpcError = { code: Code; details: string };

function targetOf(ref: ScaledObjectRef | null | undefined): string {
  const id = ref?.scalerMetadata?.[TARGET_METADATA_KEY];
  if (!id)
    throw Object.assign(new Error(`the trigger's metadata needs "${TARGET_METADATA_KEY}": the SmartScale target to follow`), {
      grpcCode: Code.INVALID_ARGUMENT,
    });
  return id;
}

function toGrpcError(err: unknown): GrpcError {
  const e = err as Error & { grpcCode?: Code };
  if (e.grpcCode !== undefined) return { code: e.grpcCode, details: e.message };
  if (err instanceof UnknownTarget) return { code: Code.NOT_FOUND, details: e.message };
  // Temporal or the workflow did not answer: KEDA keeps its last value and retries on its next poll.
  return { code: Code.UNAVAILABLE, details: `cannot read the controller's decision: ${e?.message ?? String(err)}` };
}

function unary<Req, Res>(fn: (req: Req) => Promise<Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    fn(call.request).then(
      (res) => callback(null, res),
      (err: unknown) => callback(toGrpcError(err)),
    );
  };
}

/**
 * The four calls KEDA makes (pkg/scalers/external_scaler.go): IsActive and StreamIsActive decide between
 * zero and at least one replica, GetMetricSpec and GetMetrics feed the HPA above one. Active means the
 * controller chose at least one replica: its own activation rule (lag at or above activationLag wakes a
 * target at zero, idleness lets it go back) decides, KEDA follows.
 */
export function externalScalerHandlers(counts: ChosenCounts): UntypedServiceImplementation {
  return {
    IsActive: unary(async (ref: ScaledObjectRef) => ({ result: (await counts.count(targetOf(ref))).replicas > 0 })),
    GetMetricSpec: unary(async (ref: ScaledObjectRef) => {
      await counts.count(targetOf(ref)); // an unknown target fails here, when KEDA first reads the ScaledObject
      return { metricSpecs: [{ metricName: METRIC_NAME, targetSize: 1, targetSizeFloat: 1 }] };
    }),
    GetMetrics: unary(async (req: { scaledObjectRef: ScaledObjectRef; metricName: string }) => {
      const { replicas } = await counts.count(targetOf(req.scaledObjectRef));
      return { metricValues: [{ metricName: req.metricName || METRIC_NAME, metricValue: replicas, metricValueFloat: replicas }] };
    }),
    StreamIsActive: (call: ServerWritableStream<ScaledObjectRef, { result: boolean }>) => streamIsActive(counts, call),
    // Optional in KEDA's contract: UNIMPLEMENTED makes KEDA fall back to GetMetricSpec, whose answer never changes here.
    StreamMetricSpec: (call: ServerWritableStream<ScaledObjectRef, unknown>) =>
      fail(call, { code: Code.UNIMPLEMENTED, details: 'StreamMetricSpec is not implemented: the metric spec is constant' }),
  };
}

/**
 * Sends the current state at once, then every change of the chosen count: a decision applied in this
 * worker is pushed when its apply activity runs; one applied by another worker replica is seen by a poll
 * of the controller's status once per tick. KEDA runs its scale loop on each message it gets.
 */
function streamIsActive(counts: ChosenCounts, call: ServerWritableStream<ScaledObjectRef, { result: boolean }>): void {
  let targetId: string;
  try {
    targetId = targetOf(call.request);
  } catch (err) {
    fail(call, toGrpcError(err));
    return;
  }
  let sent: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  const send = (replicas: number) => {
    if (replicas === sent || call.cancelled || call.writableEnded) return;
    sent = replicas;
    call.write({ result: replicas > 0 });
  };
  const unsubscribe = counts.subscribe(targetId, send);
  const end = () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
    timer = null;
  };
  call.on('cancelled', end);
  call.on('close', end);
  call.on('error', end);
  const poll = async (): Promise<void> => {
    try {
      const { replicas, tickMs } = await counts.count(targetId);
      send(replicas);
      if (!call.cancelled && !call.writableEnded) timer = setTimeout(() => void poll(), tickMs);
    } catch (err) {
      end();
      fail(call, toGrpcError(err));
    }
  };
  void poll();
}

/** grpc-js ends a server stream with a status through its 'error' event (server-call.js). */
function fail(call: ServerWritableStream<unknown, unknown>, error: GrpcError): void {
  call.emit('error', error);
}
