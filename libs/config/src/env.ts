import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * Environment fragments shared by the apps. Each app composes its own schema from these (CONVENTIONS
 * §3): read once at boot, every bad variable listed, a typed object returned; nothing else reads process.env.
 */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const durationMs = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** `true`/`false` (also 1/0, yes/no, on/off). */
export const flag = (fallback: boolean) => z.stringbool().default(fallback);

/** A PEM file's contents, read once at boot: a path that cannot be read is a configuration error naming it. */
const pemFile = z
  .string()
  .min(1)
  .transform((path, ctx) => {
    try {
      return readFileSync(path);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `cannot read ${path}: ${(err as Error).message}` });
      return z.NEVER;
    }
  });

export const kafkaEnv = {
  SMARTSCALE_KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    ),
  /** TLS to the brokers. Implied by any of the three files below; alone it trusts the system's CAs. */
  SMARTSCALE_KAFKA_TLS: flag(false),
  /** PEM CA bundle that signed the brokers' certificates (a private CA). */
  SMARTSCALE_KAFKA_TLS_CA_FILE: pemFile.optional(),
  /** PEM client certificate for mutual TLS; needs SMARTSCALE_KAFKA_TLS_KEY_FILE. */
  SMARTSCALE_KAFKA_TLS_CERT_FILE: pemFile.optional(),
  /** PEM private key of that client certificate. */
  SMARTSCALE_KAFKA_TLS_KEY_FILE: pemFile.optional(),
  /** SASL authentication; needs SMARTSCALE_KAFKA_SASL_USERNAME and _PASSWORD. Use it with TLS: PLAIN sends the password as is. */
  SMARTSCALE_KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  SMARTSCALE_KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  SMARTSCALE_KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
};

export const temporalEnv = {
  SMARTSCALE_TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  SMARTSCALE_TEMPORAL_NAMESPACE: z.string().default('default'),
  SMARTSCALE_TEMPORAL_UI_URL: z.string().default('http://127.0.0.1:8233'),
  /** TLS to the Temporal frontend. Implied by an API key or any TLS file; alone it trusts the system's CAs. */
  SMARTSCALE_TEMPORAL_TLS: flag(false),
  /** PEM CA bundle of the frontend's certificate (a private CA). */
  SMARTSCALE_TEMPORAL_TLS_CA_FILE: pemFile.optional(),
  /** PEM client certificate for mutual TLS (e.g. Temporal Cloud mTLS namespaces); needs SMARTSCALE_TEMPORAL_TLS_KEY_FILE. */
  SMARTSCALE_TEMPORAL_TLS_CERT_FILE: pemFile.optional(),
  SMARTSCALE_TEMPORAL_TLS_KEY_FILE: pemFile.optional(),
  /** The name checked against the frontend's certificate when it differs from the address's host (SNI). */
  SMARTSCALE_TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  /** API key sent as a bearer credential on every call (Temporal Cloud API-key namespaces); turns TLS on. */
  SMARTSCALE_TEMPORAL_API_KEY: z.string().min(1).optional(),
};

type KafkaEnv = z.infer<z.ZodObject<typeof kafkaEnv>>;
type TemporalEnv = z.infer<z.ZodObject<typeof temporalEnv>>;

/** What createKafka needs beyond the brokers; null parts are off. */
export interface KafkaSecurity {
  tls: { ca?: Buffer; cert?: Buffer; key?: Buffer } | null;
  sasl: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string } | null;
}

export function kafkaSecurity(e: KafkaEnv): KafkaSecurity {
  const files = { ca: e.SMARTSCALE_KAFKA_TLS_CA_FILE, cert: e.SMARTSCALE_KAFKA_TLS_CERT_FILE, key: e.SMARTSCALE_KAFKA_TLS_KEY_FILE };
  const tls = e.SMARTSCALE_KAFKA_TLS || Object.values(files).some(Boolean) ? withoutUndefined(files) : null;
  const m = e.SMARTSCALE_KAFKA_SASL_MECHANISM;
  // Presence of the username and password with a mechanism is checked by loadEnv (crossChecks).
  const sasl = m
    ? { mechanism: m, username: e.SMARTSCALE_KAFKA_SASL_USERNAME ?? '', password: e.SMARTSCALE_KAFKA_SASL_PASSWORD ?? '' }
    : null;
  return { tls, sasl };
}

/**
 * Options for both the client's Connection and the worker's NativeConnection (the same field names): `tls`
 * false is plaintext, an object is TLS with what it holds (empty: the system's CAs).
 */
export interface TemporalConnectionOptions {
  address: string;
  tls: { serverRootCACertificate?: Buffer; clientCertPair?: { crt: Buffer; key: Buffer }; serverNameOverride?: string } | false;
  apiKey?: string;
}

export function temporalConnection(e: TemporalEnv): TemporalConnectionOptions {
  const cert = e.SMARTSCALE_TEMPORAL_TLS_CERT_FILE;
  const key = e.SMARTSCALE_TEMPORAL_TLS_KEY_FILE;
  const on =
    e.SMARTSCALE_TEMPORAL_TLS ||
    Boolean(e.SMARTSCALE_TEMPORAL_API_KEY || e.SMARTSCALE_TEMPORAL_TLS_CA_FILE || cert || key || e.SMARTSCALE_TEMPORAL_TLS_SERVER_NAME);
  const tls = on
    ? withoutUndefined({
        serverRootCACertificate: e.SMARTSCALE_TEMPORAL_TLS_CA_FILE,
        clientCertPair: cert && key ? { crt: cert, key } : undefined,
        serverNameOverride: e.SMARTSCALE_TEMPORAL_TLS_SERVER_NAME,
      })
    : false;
  return {
    address: e.SMARTSCALE_TEMPORAL_ADDRESS,
    tls,
    ...(e.SMARTSCALE_TEMPORAL_API_KEY ? { apiKey: e.SMARTSCALE_TEMPORAL_API_KEY } : {}),
  };
}

const withoutUndefined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** Rules across variables, applied by loadEnv to every schema that includes the fragment they are about. */
const crossChecks: {
  applies: (shape: z.ZodRawShape) => boolean;
  check: (e: Record<string, unknown>) => { path: string; message: string }[];
}[] = [
  {
    applies: (shape) => 'SMARTSCALE_KAFKA_SASL_MECHANISM' in shape,
    check: (e) => [
      ...pair(
        e,
        'SMARTSCALE_KAFKA_TLS_CERT_FILE',
        'SMARTSCALE_KAFKA_TLS_KEY_FILE',
        'a client certificate needs its key and a key its certificate',
      ),
      ...(e.SMARTSCALE_KAFKA_SASL_MECHANISM
        ? ['SMARTSCALE_KAFKA_SASL_USERNAME', 'SMARTSCALE_KAFKA_SASL_PASSWORD']
            .filter((k) => !e[k])
            .map((path) => ({ path, message: 'required with SMARTSCALE_KAFKA_SASL_MECHANISM' }))
        : ['SMARTSCALE_KAFKA_SASL_USERNAME', 'SMARTSCALE_KAFKA_SASL_PASSWORD']
            .filter((k) => e[k])
            .map((path) => ({ path, message: 'set SMARTSCALE_KAFKA_SASL_MECHANISM too (plain, scram-sha-256 or scram-sha-512)' }))),
    ],
  },
  {
    applies: (shape) => 'SMARTSCALE_TEMPORAL_API_KEY' in shape,
    check: (e) =>
      pair(
        e,
        'SMARTSCALE_TEMPORAL_TLS_CERT_FILE',
        'SMARTSCALE_TEMPORAL_TLS_KEY_FILE',
        'a client certificate needs its key and a key its certificate',
      ),
  },
];

function pair(e: Record<string, unknown>, a: string, b: string, message: string): { path: string; message: string }[] {
  if (Boolean(e[a]) === Boolean(e[b])) return [];
  return [{ path: e[a] ? b : a, message }];
}

export const windowEnv = {
  SMARTSCALE_WINDOW_MS: durationMs(10_000),
  SMARTSCALE_GRACE_MS: z.coerce.number().int().nonnegative().default(2_000),
};

/** Parses the environment against a schema or throws one error that lists every bad variable. */
export function loadEnv<S extends z.ZodRawShape>(shape: S, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<S>> {
  const checks = crossChecks.filter((c) => c.applies(shape));
  const schema = z.object(shape).superRefine((e, ctx) => {
    for (const c of checks) for (const { path, message } of c.check(e)) ctx.addIssue({ code: 'custom', path: [path], message });
  });
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}
