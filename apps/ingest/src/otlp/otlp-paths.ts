/** The OTLP/HTTP default paths (OpenTelemetry protocol specification, "OTLP/HTTP Request"). */
export const OTLP_TRACES_PATH = '/v1/traces';
export const OTLP_METRICS_PATH = '/v1/metrics';
export const OTLP_PATHS: ReadonlySet<string> = new Set([OTLP_TRACES_PATH, OTLP_METRICS_PATH]);

/** The two OTLP/HTTP encodings; a response always uses the request's. */
export const PROTOBUF_TYPE = 'application/x-protobuf';
export const OTLP_JSON_TYPE = 'application/json';
export const OTLP_CONTENT_TYPES: ReadonlySet<string> = new Set([PROTOBUF_TYPE, OTLP_JSON_TYPE]);
