import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '@smartscale/testing';

export interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
}

/** What a user who follows the compose file's header exports: a control token and anonymous ingest for a try-out. */
export const TRY_OUT_ENV: Record<string, string> = { SMARTSCALE_CONTROL_TOKEN: 'f'.repeat(48), SMARTSCALE_INGEST_ALLOW_ANONYMOUS: 'true' };

/**
 * What `docker compose` makes of `${VAR}`, `${VAR:-default}` and `${VAR:?error}` with `shell` as the
 * user's environment (compose's rules for these forms: with ":", unset and empty are alike).
 */
export function interpolate(env: Record<string, string>, shell: Record<string, string>): Record<string, string> {
  const value = (v: string) =>
    v.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_m, name: string, op: string | undefined, arg: string) => {
      if (shell[name] !== undefined && shell[name] !== '') return shell[name];
      if (op === '?') throw new Error(`required variable ${name} is missing a value: ${arg}`);
      return op === '-' ? arg : '';
    });
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, value(String(v))]));
}

/**
 * docker-compose.yml's services, parsed (anchors and merge keys resolved), their environment interpolated
 * with `shell` as compose would (null: the file's text as written).
 */
export function composeServices(shell: Record<string, string> | null = TRY_OUT_ENV): Record<string, ComposeService> {
  const services = (
    parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> }
  ).services;
  if (shell === null) return services;
  return Object.fromEntries(
    Object.entries(services).map(([name, s]) => [name, s.environment ? { ...s, environment: interpolate(s.environment, shell) } : s]),
  );
}

/** `host:container` port mappings as numbers. */
export const publishedPorts = (s: ComposeService): { host: number; container: number }[] =>
  (s.ports ?? []).map((p) => {
    const parts = p.split(':').map(Number);
    return { host: parts.at(-2) ?? parts[0], container: parts.at(-1) ?? parts[0] };
  });
