import { existsSync, readFileSync } from 'node:fs';
import type { InfraConfig } from './config';
import { paths } from './paths';
import { ensureService, ServiceUp, startDetached } from './process';
import { CliError, temporalCli, temporalReady } from './readiness';
import { httpOk, logger, waitFor } from './util';

/*
 * The Temporal dev server (server start-dev, with its Web UI) from the pinned CLI install.ts installed.
 * It silently ignores new --search-attribute flags when its db file already exists, so the attributes
 * are (re)created through the operator API after every start; that is idempotent.
 */

const log = logger('infra');
const TEMPORAL_READY_TIMEOUT_MS = 30_000;
const SEARCH_ATTRIBUTE_TYPES = new Set(['Text', 'Keyword', 'Int', 'Double', 'Bool', 'Datetime', 'KeywordList']);

/** [name, type] pairs from libs/contracts (the single source of truth for workflow search attributes). */
export function searchAttributes(file = paths.searchAttributes): [string, string][] {
  if (!existsSync(file)) return [];
  const entries = Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>);
  for (const [name, type] of entries) {
    if (!SEARCH_ATTRIBUTE_TYPES.has(type)) throw new Error(`search attribute ${name}: unknown type ${type}`);
  }
  return entries;
}

export function temporalArgs(cfg: InfraConfig, attributes = searchAttributes()): string[] {
  const port = cfg.temporal.address.split(':').pop() ?? '';
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    port,
    '--ui-port',
    String(cfg.temporal.uiPort),
    '--db-filename',
    paths.temporalDb,
    '--ui-disable-news-fetch',
    '--log-level',
    'warn',
    // WAL with synchronous=normal: safe against a crash of the server (not of the machine's power), and
    // several times the history throughput of the default rollback journal (bench:controller).
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
  ];
  for (const [name, type] of attributes) args.push('--search-attribute', `${name}=${type}`);
  return args;
}

/** Creates every search attribute; repeating is fine (the CLI exits 0 when the type matches). */
async function ensureSearchAttributes(address: string): Promise<void> {
  for (const [name, type] of searchAttributes()) {
    const args = ['operator', 'search-attribute', 'create', '--namespace', 'default'];
    try {
      await temporalCli([...args, '--name', name, '--type', type, '--address', address], 15_000);
    } catch (err) {
      const e = err as CliError;
      const out = `${e.stderr || ''}${e.stdout || ''}`.trim() || e.message;
      // "already exists" is fine; "already exists and has different type Keyword" is a real conflict.
      const harmless = /already exists/i.test(out) && !/different type/i.test(out);
      if (!harmless) throw new Error(`search attribute ${name}=${type}: ${out}`);
    }
  }
}

/** Reuses a frontend that answers, else starts ours; then waits for the UI and ensures the search attributes. */
export async function upTemporal(cfg: InfraConfig): Promise<ServiceUp & { uiReady: boolean }> {
  const { address, uiUrl } = cfg.temporal;
  const result = await ensureService({
    name: 'temporal',
    endpoint: address,
    ready: () => temporalReady(address),
    start: () => startDetached('temporal', paths.temporalBin, temporalArgs(cfg), paths.temporal),
    timeoutMs: TEMPORAL_READY_TIMEOUT_MS,
  });
  // The frontend answers slightly before the UI; a reused external server may run without a UI.
  const uiWait = result.reused ? 2000 : TEMPORAL_READY_TIMEOUT_MS;
  const uiUp = await waitFor(() => httpOk(uiUrl), { timeoutMs: uiWait, intervalMs: 200, what: 'the Temporal UI' }).catch(() => false);
  await ensureSearchAttributes(address);
  const ui = uiUp ? `ready at ${uiUrl}` : `not answering at ${uiUrl}`;
  log(`temporal: UI ${ui}; ${searchAttributes().length} search attributes ensured`);
  if (!uiUp && !result.reused) throw new Error(`Temporal UI did not answer at ${uiUrl}`);
  return { ...result, uiReady: uiUp };
}
