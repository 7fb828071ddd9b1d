import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import type { Page } from 'playwright-core';
import { leadingRange, LoadWindow } from './chart-range';
import { launchChromium } from './chromium';

// Screenshots for the README: the Temporal Web UI showing a controller's decisions, and the live
// console. Needs a running stack (`npm start`, the default `cycle` demo, best once its traffic has
// finished). Uses Debian's Chromium (installed with apt-get if missing), never a browser download:
//   npm run screenshots                     the default demo's target, `cycle`
//   npm run screenshots -- --target demo    the `--scenario spike` demo

async function shoot(page: Page, url: string, waitFor: string, file: string): Promise<void> {
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.getByText(waitFor, { exact: false }).first().waitFor({ timeout: 30_000 });
  await page.waitForTimeout(4_000); // let the event history finish rendering its rows
  await page.screenshot({ path: file, fullPage: true });
  console.log(`[screenshots] ${file}`);
}

/**
 * Once the load has risen three times (the forecaster has found the cycle), the chart shows from the
 * low phase before the third rise to the last fall, where the band rises before the load; before
 * that, the live view.
 */
async function chooseRange(page: Page, consoleUrl: string, target: string): Promise<void> {
  const now = Date.now();
  const res = await fetch(`${consoleUrl}/v1/console/targets/${encodeURIComponent(target)}/chart?from=${now - 3_600_000}&to=${now}`);
  if (!res.ok) throw new Error(`chart of ${target}: HTTP ${res.status}`);
  const range = leadingRange(((await res.json()) as { windows: LoadWindow[] }).windows);
  if (!range) {
    console.log('[screenshots] fewer than three rises of the load yet: the live view');
    return;
  }
  // The browser runs in UTC (see main), so a UTC ISO string without its zone is the local time the input wants.
  const local = (ms: number): string => new Date(ms).toISOString().slice(0, 19);
  console.log(`[screenshots] chart from ${local(range.from)} to ${local(range.to)} UTC (rises at ${range.rises.map(local).join(', ')})`);
  await page.locator('#range').selectOption('custom');
  await page.locator('#range-from').fill(local(range.from));
  await page.locator('#range-to').fill(local(range.to));
  await page.locator('#range-apply').click();
  await page.locator('#range-mode', { hasText: 'history' }).waitFor({ timeout: 10_000 });
  await page.waitForFunction("document.querySelector('#chart-msg')?.textContent === ''", undefined, { timeout: 10_000 });
}

/** The console with the target selected, then with the cursor on a decision so that its tooltip shows. */
async function shootConsole(page: Page, consoleUrl: string, target: string, out: string): Promise<void> {
  await page.goto(`${consoleUrl}/console#target=${encodeURIComponent(target)}`, { waitUntil: 'domcontentloaded' });
  await page.locator(`#targets tr[data-target="${target}"]`).waitFor({ timeout: 30_000 });
  await page.locator('#chart-main canvas').first().waitFor({ timeout: 30_000 });
  await page.locator('#decisions tbody tr').first().waitFor({ timeout: 30_000 });
  await chooseRange(page, consoleUrl, target);
  await page.waitForTimeout(1_500); // a few live updates, or the chosen range drawn
  await page.screenshot({ path: join(out, 'console.png'), fullPage: true });
  console.log(`[screenshots] ${join(out, 'console.png')}`);
  const over = page.locator('#chart-main .u-over');
  const box = await over.boundingBox();
  if (!box) return;
  // Sweep from the newest end for a scale-up marker (the one that landed before the last rise), else a
  // scale-down, else the newest hold.
  const tip = page.locator('#tooltip');
  let hold: number | null = null;
  let down: number | null = null;
  let up: number | null = null;
  for (let x = box.width - 2; x > 0 && up === null; x -= 3) {
    await over.hover({ position: { x, y: box.height / 2 } });
    if (!(await tip.isVisible())) continue;
    const text = await tip.innerText();
    if (/ up /.test(text)) up = x;
    else if (/ down /.test(text)) down ??= x;
    else hold ??= x;
  }
  const at = up ?? down ?? hold;
  if (at !== null) await over.hover({ position: { x: at, y: box.height / 2 } });
  await page.screenshot({
    path: join(out, 'console-decision.png'),
    clip: { x: 0, y: Math.max(0, box.y - 120), width: 1400, height: box.height + 320 },
  });
  console.log(`[screenshots] ${join(out, 'console-decision.png')}`);
}

async function main(): Promise<void> {
  const o = new Command('screenshots')
    .option('--ui <url>', 'Temporal Web UI', 'http://127.0.0.1:8233')
    .option('--console <url>', 'control API serving the console', 'http://127.0.0.1:3003')
    .option('--target <id>', "target whose workflow and chart to show (`npm start`'s default demo: cycle)", 'cycle')
    .option('--only <which>', 'temporal, console or all', 'all')
    .option('--out <dir>', 'output folder', 'docs/screenshots')
    .parse()
    .opts<{ ui: string; console: string; target: string; only: string; out: string }>();
  mkdirSync(o.out, { recursive: true });
  const browser = await launchChromium((line) => console.log(`[screenshots] ${line}`));
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, timezoneId: 'UTC' });
    const page = await context.newPage();
    if (o.only !== 'console') {
      const wf = `${o.ui}/namespaces/default/workflows/${encodeURIComponent(`scaler/${o.target}`)}`;
      await shoot(
        page,
        `${o.ui}/namespaces/default/workflows?query=${encodeURIComponent(`SmartScaleTarget="${o.target}"`)}`,
        'scalingControllerWorkflow',
        join(o.out, 'workflow-list.png'),
      );
      await shoot(page, wf, 'observe ', join(o.out, 'workflow-timeline.png'));
    }
    if (o.only !== 'temporal') await shootConsole(page, o.console, o.target, o.out);
  } finally {
    await browser.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
