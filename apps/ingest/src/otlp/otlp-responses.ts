import { MetricsResponse, RpcStatus, TraceResponse } from './otlp-proto';
import { OTLP_JSON_TYPE, PROTOBUF_TYPE } from './otlp-paths';

export type Encoding = 'protobuf' | 'json';
export type Signal = 'traces' | 'metrics';

export interface Encoded {
  contentType: string;
  body: Buffer | string;
}

/** The response uses the request's encoding (spec: "the same Content-Type in the response"); JSON otherwise. */
export function encodingOf(contentType: string | string[] | undefined): Encoding {
  const type = String(contentType ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  return type === PROTOBUF_TYPE ? 'protobuf' : 'json';
}

/**
 * Export<Signal>ServiceResponse: `partial_success` left unset on full success, set with the rejected
 * count and the reasons otherwise (OTLP/HTTP "Partial Success").
 */
export function exportResponse(signal: Signal, rejected: number, errorMessage: string | undefined, encoding: Encoding): Encoded {
  const countField = signal === 'traces' ? 'rejectedSpans' : 'rejectedDataPoints';
  const partial = rejected > 0 || errorMessage ? { partialSuccess: { [countField]: rejected, errorMessage: errorMessage ?? '' } } : {};
  if (encoding === 'protobuf') {
    const type = signal === 'traces' ? TraceResponse : MetricsResponse;
    return { contentType: PROTOBUF_TYPE, body: Buffer.from(type.encode(partial).finish()) };
  }
  // proto3 JSON writes 64-bit integers as decimal strings.
  const json = rejected > 0 || errorMessage ? { partialSuccess: { [countField]: String(rejected), errorMessage: errorMessage ?? '' } } : {};
  return { contentType: OTLP_JSON_TYPE, body: JSON.stringify(json) };
}

/** google.rpc.Status codes for the HTTP statuses this receiver answers (Status.code is informative only). */
const GRPC_CODE: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 408: 4, 413: 8, 415: 3, 429: 8, 500: 13, 503: 14, 504: 4 };

/** The body of every 4xx/5xx: a google.rpc.Status in the request's encoding. */
export function statusResponse(httpStatus: number, message: string, encoding: Encoding): Encoded {
  const status = { code: GRPC_CODE[httpStatus] ?? (httpStatus >= 500 ? 13 : 2), message };
  if (encoding === 'protobuf') return { contentType: PROTOBUF_TYPE, body: Buffer.from(RpcStatus.encode(status).finish()) };
  return { contentType: OTLP_JSON_TYPE, body: JSON.stringify(status) };
}
