// A real headless browser for the dashboard tests: Debian's chromium (or $CHROMIUM_PATH) driven by
// playwright-core. A missing browser fails the test with how to install it; it never skips.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/** A page that records the script errors it sees (a test asserts there were none). */
export async function openPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => void d.accept());
  return { page, errors };
}

/** With $SLUICE_SCREENSHOTS set (a directory, e.g. docs/images), saves a screenshot of the page there. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.SLUICE_SCREENSHOTS;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `dashboard-${name}.png`), fullPage: true });
}

/** The number in a table cell as the dashboard formats it (1,234). */
export const cellNumber = (text: string | null) => Number((text ?? '').replace(/,/g, ''));
