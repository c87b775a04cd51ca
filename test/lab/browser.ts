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
