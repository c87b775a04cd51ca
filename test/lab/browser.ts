// Debian's chromium driven headless by playwright-core, for the status page's browser tests.
// Missing chromium fails the test under CI=true and skips it loudly otherwise (require-tool.ts).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { requireTool, type SkippableTest } from '../support/require-tool.js';

/** Where the system chromium lives (Debian's package); VIPD_CHROMIUM overrides. */
export const CHROMIUM = process.env.VIPD_CHROMIUM ?? '/usr/bin/chromium';

/** A headless chromium, closed at teardown; null when it is missing (the test was failed or skipped). */
export async function launchChromium(t: SkippableTest & { teardown(fn: () => unknown): void }): Promise<Browser | null> {
  const path = requireTool(t, CHROMIUM, 'the status page tests drive a real browser');
  if (!path) return null;
  const browser = await chromium.launch({ executablePath: path, args: ['--no-sandbox'], headless: true, timeout: 30_000 });
  t.teardown(() => browser.close());
  return browser;
}

/** A folder that outlives the test for screenshots: $VIPD_ARTEFACTS, else a new one under the temp dir. */
export function artefactDir(): string {
  return process.env.VIPD_ARTEFACTS ?? mkdtempSync(join(tmpdir(), 'vipd-artefacts-'));
}

/** The status page's table row of server `host` (its exact host text). */
export function serverRow(page: Page, host: string): Locator {
  return page.locator('tr', { has: page.getByText(host, { exact: true }) });
}

/**
 * Waits until `expression` is true in the page, polling with page.evaluate (CDP, not subject to the
 * page's CSP). Playwright's waitForFunction runs `eval` inside the page, which the status page's
 * `script-src 'self'` refuses (EvalError): it failed the browser tests at random.
 */
export async function waitInPage(page: Page, expression: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await page.evaluate<boolean>(expression)) return;
    if (Date.now() >= until) throw new Error(`not true in the page within ${timeoutMs} ms: ${expression}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
