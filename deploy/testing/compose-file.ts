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

/** docker-compose.yml's services, parsed (anchors and merge keys resolved). */
export function composeServices(): Record<string, ComposeService> {
  return (parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> }).services;
}

/** `host:container` port mappings as numbers. */
export const publishedPorts = (s: ComposeService): { host: number; container: number }[] =>
  (s.ports ?? []).map((p) => {
    const parts = p.split(':').map(Number);
    return { host: parts.at(-2) ?? parts[0], container: parts.at(-1) ?? parts[0] };
  });
