import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { chromium, Page } from 'playwright-core';

// Screenshots of the Temporal Web UI showing a controller's decisions, for the README. Needs a running
// stack (`npm start`). Uses Debian's Chromium (installed here with apt-get if missing), never a
// browser download:  npm run screenshots -- --target demo
const CHROMIUM = '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps dialling hosts this machine cannot reach.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  console.log('[screenshots] installing Debian chromium (apt-get)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'chromium']]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed; install Debian's chromium package by other means`);
  }
}

async function shoot(page: Page, url: string, waitFor: string, file: string): Promise<void> {
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.getByText(waitFor, { exact: false }).first().waitFor({ timeout: 30_000 });
  await page.waitForTimeout(4_000); // let the event history finish rendering its rows
  await page.screenshot({ path: file, fullPage: true });
  console.log(`[screenshots] ${file}`);
}

async function main(): Promise<void> {
  const o = new Command('screenshots')
    .option('--ui <url>', 'Temporal Web UI', 'http://127.0.0.1:8233')
    .option('--target <id>', 'target whose workflow to show', 'demo')
    .option('--out <dir>', 'output folder', 'docs/screenshots')
    .parse()
    .opts<{ ui: string; target: string; out: string }>();
  ensureChromium();
  mkdirSync(o.out, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const wf = `${o.ui}/namespaces/default/workflows/${encodeURIComponent(`scaler/${o.target}`)}`;
    await shoot(page, `${o.ui}/namespaces/default/workflows?query=${encodeURIComponent(`SmartScaleTarget="${o.target}"`)}`, 'scalingControllerWorkflow', join(o.out, 'workflow-list.png'));
    await shoot(page, wf, 'observe ', join(o.out, 'workflow-timeline.png'));
  } finally {
    await browser.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
