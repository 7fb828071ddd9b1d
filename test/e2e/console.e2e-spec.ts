import type { Browser, Page } from 'playwright-core';
import { statusQuery, workflowIdFor } from '@smartscale/contracts';
import { eventually } from '@smartscale/testing';
import { runLoad } from '../../tools/loadgen/loadgen';
import { launchChromium } from '../../tools/screenshots/chromium';
import { buildConsoleScript } from '../support/console-script';
import { LocalStack, startLocalStack } from './local-stack';

// The live console in a real browser (Debian's Chromium) against the real broker and Temporal dev
// server: the page lists the target, takes new decisions from the event stream without reloading,
// follows targets added and removed through the API, and its pause, resume and override buttons reach
// the workflow (read back with a Temporal query), asking once, on load, for the control API's bearer token.
jest.setTimeout(240_000);

const TOKEN = 'console-e2e-control-token';

describe('the live console', () => {
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  let closed = false;

  beforeAll(async () => {
    // The worker reads its environment through local-stack: mutations now need this token.
    process.env.SMARTSCALE_CONTROL_TOKEN = TOKEN;
    // The worker runs from source here and serves the page's script from the build (console-assets.ts).
    await buildConsoleScript();
    stack = await startLocalStack({
      minReplicas: 1,
      maxReplicas: 3,
      capacityPerReplica: 20,
      tickIntervalMs: 1_000,
      scaleUpCooldownMs: 2_000,
      forecastHorizonWindows: 2,
    });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1300, height: 1000 } })).newPage();
  });
  afterAll(async () => {
    delete process.env.SMARTSCALE_CONTROL_TOKEN;
    await browser?.close();
    if (!closed) await stack?.close();
  });

  const status = () => stack.temporal.workflow.getHandle(workflowIdFor(stack.run)).query(statusQuery);
  const row = () => page.locator(`#targets tr[data-target="${stack.run}"]`);
  const maxSeq = () =>
    page.locator('#decisions tbody tr').evaluateAll((rows) => Math.max(-1, ...rows.map((r) => Number(r.getAttribute('data-seq')))));

  it('shows the target, takes new decisions live, follows targets added and removed, and pauses, resumes and overrides from the page', async () => {
    const load = runLoad({
      url: stack.ingestUrl,
      service: stack.run,
      shape: { kind: 'constant', rate: 30 },
      durationSeconds: 20,
      batchSize: 10,
      errorRate: 0,
    });

    await page.goto(`${stack.controlUrl}/console`);
    // With a token set, reads need it too: the page asks once, then reads the stream with it (issue 18).
    await page.locator('#token-input').fill(TOKEN);
    await page.locator('#token-ok').click();
    await row().waitFor();
    await page.locator('#conn', { hasText: 'live' }).waitFor();
    expect(await row().locator('[data-field=state]').innerText()).toContain('active');
    await page.locator('#chart-main canvas').first().waitFor();
    await page.locator('#banner').waitFor({ state: 'hidden' });

    // A decision recorded after the page loaded arrives over the event stream: same document, new row.
    await page.locator('#decisions tbody tr').first().waitFor();
    // evaluate() runs the function in the page, where globalThis is the page's window.
    await page.evaluate(() => {
      (globalThis as { loadedOnce?: boolean }).loadedOnce = true;
    });
    const before = await maxSeq();
    // The stream sends every decision, none skipped, so the next seq is the one to wait for.
    await page.locator(`#decisions tbody tr[data-seq="${before + 1}"]`).waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => (globalThis as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
    const newest = await maxSeq();
    await page
      .locator(`#targets tr[data-target="${stack.run}"] [data-field=last-decision]`, {
        hasText: new RegExp(`#(${newest}|${newest + 1}|${newest + 2}) `),
      })
      .waitFor();
    expect(await page.locator('#decisions tbody tr a').first().getAttribute('href')).toContain(
      `/workflows/${encodeURIComponent(workflowIdFor(stack.run))}`,
    );

    // A target added through the API shows up without a reload (recommend only here), and goes when removed.
    const added = `${stack.run}-added`;
    const auth = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
    const target = {
      id: added,
      service: added,
      scaler: { kind: 'webhook', url: 'http://127.0.0.1:9/scale' },
      policy: { mode: 'recommend', tickIntervalMs: 1_000 },
    };
    expect((await fetch(`${stack.controlUrl}/v1/targets`, { method: 'POST', headers: auth, body: JSON.stringify(target) })).status).toBe(
      201,
    );
    await page.locator(`#targets tr[data-target="${added}"] [data-field=state]`, { hasText: 'recommend only' }).waitFor();
    expect(
      (await fetch(`${stack.controlUrl}/v1/targets/${added}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } })).status,
    ).toBe(202);
    await page.locator(`#targets tr[data-target="${added}"]`).waitFor({ state: 'detached' });
    expect(await page.evaluate(() => (globalThis as { loadedOnce?: boolean }).loadedOnce)).toBe(true);

    // Pause: the token given for the stream is kept for the session, so the signal lands without a prompt.
    await page.locator('#pause-form input[name=reason]').fill('console e2e');
    await page.locator('#pause-btn').click();
    await eventually('the workflow reports the pause from the page', async () => (await status()).paused?.reason === 'console e2e');
    await page.locator(`#targets tr[data-target="${stack.run}"][data-state=paused]`).waitFor();

    // Still no second prompt.
    await page.locator('#resume-btn').click();
    await eventually('the workflow reports resumed', async () => (await status()).paused === null);
    await page.locator('#override-form input[name=replicas]').fill('2');
    await page.locator('#override-form input[name=minutes]').fill('5');
    await page.locator('#override-btn').click();
    const override = await eventually('the workflow reports the override', async () => (await status()).override);
    expect(override.replicas).toBe(2);
    expect(override.expiresAt - override.since).toBe(300_000);
    await page
      .locator(`#targets tr[data-target="${stack.run}"] [data-field=state]`, { hasText: /override 2 replicas, \d+:\d\d left/ })
      .waitFor();
    expect(await page.locator('#token-dialog').isVisible()).toBe(false);

    await load;
    // The worker going away shows as a banner, not as a silently frozen page.
    closed = true;
    await stack.close();
    await page.locator('#banner', { hasText: 'Lost the live connection' }).waitFor();
  });
});
