import { z } from 'zod';

/**
 * Environment fragments shared by the apps. Each app composes its own schema from these (CONVENTIONS
 * §3): read once at boot, every bad variable listed, a typed object returned; nothing else reads process.env.
 */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const durationMs = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const kafkaEnv = {
  SMARTSCALE_KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((s) => s.split(',').map((b) => b.trim()).filter(Boolean)),
};

export const temporalEnv = {
  SMARTSCALE_TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  SMARTSCALE_TEMPORAL_NAMESPACE: z.string().default('default'),
  SMARTSCALE_TEMPORAL_UI_URL: z.string().default('http://127.0.0.1:8233'),
};

export const windowEnv = {
  SMARTSCALE_WINDOW_MS: durationMs(10_000),
  SMARTSCALE_GRACE_MS: z.coerce.number().int().nonnegative().default(2_000),
};

/** Parses the environment against a schema or throws one error that lists every bad variable. */
export function loadEnv<S extends z.ZodRawShape>(shape: S, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}
