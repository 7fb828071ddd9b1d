import { Field, Root, Type } from 'protobufjs';
// The OpenTelemetry project's own protobufjs static module, generated from opentelemetry-proto (the
// package's `protos:generate` script); 0.215.0 is the last release that ships it. Its typings only say
// `Root`, so the few message classes used here are typed below.
import * as generated from '@opentelemetry/otlp-transformer/build/src/generated/root';
import type { ExportMetricsServiceRequest, ExportTraceServiceRequest } from './otlp-model';

interface MessageClass<T> {
  decode(bytes: Uint8Array): T;
  encode(message: unknown): { finish(): Uint8Array };
}

interface GeneratedRoot {
  opentelemetry: {
    proto: {
      collector: {
        trace: {
          v1: { ExportTraceServiceRequest: MessageClass<ExportTraceServiceRequest>; ExportTraceServiceResponse: MessageClass<unknown> };
        };
        metrics: {
          v1: {
            ExportMetricsServiceRequest: MessageClass<ExportMetricsServiceRequest>;
            ExportMetricsServiceResponse: MessageClass<unknown>;
          };
        };
      };
    };
  };
}

const collector = (generated as unknown as GeneratedRoot).opentelemetry.proto.collector;
export const TraceRequest = collector.trace.v1.ExportTraceServiceRequest;
export const TraceResponse = collector.trace.v1.ExportTraceServiceResponse;
export const MetricsRequest = collector.metrics.v1.ExportMetricsServiceRequest;
export const MetricsResponse = collector.metrics.v1.ExportMetricsServiceResponse;

/**
 * google.rpc.Status (googleapis google/rpc/status.proto), the body of every OTLP/HTTP 4xx and 5xx. The
 * generated OTLP root does not include it; declared through protobufjs reflection with its two field
 * numbers (`details`, field 3, is never sent), so protobufjs still does the encoding.
 */
const StatusType = new Type('Status').add(new Field('code', 1, 'int32')).add(new Field('message', 2, 'string'));
new Root().define('google.rpc').add(StatusType);
export const RpcStatus: MessageClass<{ code: number; message: string }> = StatusType as unknown as MessageClass<{
  code: number;
  message: string;
}>;
