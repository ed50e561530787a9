// The dashboard's Reconcile tab in a real headless browser against one real cluster and the real Kafka: the
// click count on event time runs over clicks with late ones among them; the page starts a reconcile
// (POST /jobs/:jobid/reconcile) and shows its report: OK (exit 0), the click_event_statistics rows matched
// or explained (as many as the windows and pages of the clicks, counted here), the late clicks explained;
// then, after a bogus record is written to the output topic, NOT OK (exit 1) with that record as the extra
// example (its key and found values). SLUICE_SCREENSHOTS=docs/images renews the screenshot.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTimestamp } from '../../runtime/core/values.js';
import { compileFixture, jobIdOf, TestCluster } from '../cluster/helpers.js';
import { closeAdmin, createTopic, produce, uniqueGroup, uniqueTopic } from '../kafka/helpers.js';
import { cellNumber, launchBrowser, openPage, screenshot } from './browser.js';

let cluster: TestCluster;
let browser: Browser;
let page: Page;
let errors: string[];
const topics = { clicks: uniqueTopic('rcp-clicks'), out: uniqueTopic('rcp-out') };
const PAGES = ['/index', '/shop', '/help'];
/** Clicks 100 ms apart in event time over 3 pages; every 30th is 20 s behind (late: the watermark allows 200 ms). */
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const clicks = Array.from({ length: 1200 }, (_, i) => ({ ts: T0 + i * 100 - (i % 30 === 29 ? 20_000 : 0), page: PAGES[i % 3] }));
/** The rows the batch computes, counted here: one per 15 s window and page that holds a click. */
const windowRows = new Set(clicks.map((c) => `${Math.floor(c.ts / 15_000)}|${c.page}`)).size;

beforeAll(async () => {
  cluster = await TestCluster.start({ defines: ['heartbeat.timeout=2000'] });
  await Promise.all(Object.values(topics).map((t) => createTopic(t)));
  browser = await launchBrowser();
  ({ page, errors } = await openPage(browser));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  cluster?.stop();
  await closeAdmin();
});

const cell = (k: string) => async () => cellNumber(await page.locator(`[data-testid=reconcile-table][data-table=click_event_statistics] [data-testid=rc-${k}]`).textContent());

async function checkpoints(jobId: string): Promise<number> {
  return (await cluster.rest('GET', `/jobs/${jobId}/checkpoints`)).json?.counts?.completed ?? 0;
}

describe('dashboard: the Reconcile tab', () => {
  it('starts a reconcile and shows its report: OK with the late clicks explained, then the bogus record as NOT OK', async () => {
    const bundle = compileFixture('jobs/click-event-count.ts', ['--event-time', '--input-topic', topics.clicks, '--output-topic', topics.out]);
    const run = cluster.sluice(['run', '-d', bundle, '--set', `clicks.properties.group.id=${uniqueGroup('rcp')}`, '-D', 'execution.checkpointing.interval=500ms']);
    const jobId = jobIdOf(run);
    await cluster.waitForState(jobId, 'RUNNING', 30_000);

    await page.goto(`${cluster.url}/#/job/${jobId}/reconcile`);
    await expect.poll(() => page.locator('[data-testid=reconcile-status]').textContent()).toBe('Not reconciled yet.');
    expect((await cluster.rest('GET', `/jobs/${jobId}/reconcile/latest`)).status).toBe(404);

    await produce(topics.clicks, clicks.map((c) => ({ value: JSON.stringify({ timestamp: formatTimestamp(c.ts, 3), page: c.page }) })));
    // Checkpoints after the input was read: the range ends where the input does.
    const before = await checkpoints(jobId);
    await cluster.waitFor('checkpoints after the input', async () => (await checkpoints(jobId)) >= before + 4, 60_000);

    await page.locator('[data-testid=start-reconcile]').click();
    await expect.poll(() => page.locator('[data-testid=reconcile-verdict]').textContent(), { timeout: 120_000 }).toMatch(/^exit 0: OK/);
    expect(await cell('missing')()).toBe(0);
    expect(await cell('extra')()).toBe(0);
    expect(await cell('changed')()).toBe(0);
    expect(await cell('matched')()).toBeGreaterThan(0);
    expect((await cell('matched')()) + (await cell('explained')())).toBe(windowRows);
    await expect.poll(() => page.locator('[data-testid=reconcile-table] [data-testid=rc-explanations]').textContent()).toMatch(/\d+ late records/);
    expect(await page.locator('[data-testid=reconcile-checkpoint]').textContent()).toMatch(/Against (checkpoint|savepoint) \d+/);
    expect(await page.locator('[data-testid=reconcile-notes]').textContent()).toMatch(/behind the watermark/);
    // The REST view of the run agrees with the page.
    const latest = (await cluster.rest('GET', `/jobs/${jobId}/reconcile/latest`)).json;
    expect(latest).toMatchObject({ status: 'COMPLETED', 'exit-code': 0, report: { ok: true } });
    expect(latest.report.tables[0].matched).toBe(await cell('matched')());

    const bogus = { windowStart: '2020-01-01 00:00:00.000', windowEnd: '2020-01-01 00:00:15.000', page: '/bogus', count: 7 };
    await produce(topics.out, [{ value: JSON.stringify(bogus) }]);
    await page.locator('[data-testid=start-reconcile]').click();
    // One reconcile of a job at a time: while the page's runs, another start is refused.
    await expect.poll(() => page.locator('[data-testid=reconcile-verdict]').textContent()).toMatch(/^running since/);
    expect((await cluster.rest('POST', `/jobs/${jobId}/reconcile`)).status).toBe(409);
    await expect.poll(() => page.locator('[data-testid=reconcile-verdict]').textContent(), { timeout: 120_000 }).toMatch(/^exit 1: NOT OK, 1 row\(s\) differ/);
    expect(await cell('extra')()).toBe(1);
    expect(await cell('missing')()).toBe(0);
    const extra = page.locator('[data-testid=reconcile-example][data-kind=extra]');
    expect(await extra.count()).toBe(1);
    const [table, kind, key, expected, found, why] = await extra.locator('td').allTextContents();
    const bogusKey = 'windowStart: 2020-01-01 00:00:00.000, windowEnd: 2020-01-01 00:00:15.000, page: "/bogus"';
    expect([table, kind, key, expected, found, why]).toEqual(['click_event_statistics', 'extra', `{${bogusKey}}`, '(none)', `{${bogusKey}, count: 7}`, 'unexplained']);
    await screenshot(page, 'reconcile');
    expect((await cluster.rest('POST', '/jobs/00000000000000000000000000000000/reconcile')).status).toBe(404);
    expect(errors).toEqual([]);
  }, 400_000);
});
