// The web dashboard in a real headless browser against one real cluster with a REST token (the page asks
// for it): a bundle is uploaded and submitted through the Submit page, its record counts rise on the job
// page (and agree with the REST API read before and after), the Output tab shows the rows its filesystem
// sink writes, a taskmanager killed with -9 shows up in the exception history, the job is stopped with a
// savepoint from the page, and the SQL page shows a compile error at its line and column, then previews rows.
// SLUICE_SCREENSHOTS=docs/images renews the screenshots.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tables.js';
import { compileFixture, TestCluster } from '../cluster/helpers.js';
import { cellNumber, launchBrowser, openPage, screenshot } from './browser.js';

let cluster: TestCluster;
let browser: Browser;
let page: Page;
let errors: string[];
let jobId = '';
const savepoints = tempDir('sluice-dash-sp-');
const TOKEN = 'dashboard-test-token';

beforeAll(async () => {
  cluster = await TestCluster.start({ defines: ['heartbeat.timeout=2000'], env: { SLUICE_REST_TOKEN: TOKEN } });
  browser = await launchBrowser();
  ({ page, errors } = await openPage(browser));
});

afterAll(async () => {
  await browser?.close();
  cluster?.stop();
});

const sourceRecordsOut = async () => cellNumber(await page.locator('[data-testid=vertex-row]').first().locator('[data-testid=records-out]').textContent());
const restSourceRecordsOut = async () => (await cluster.job(jobId)).vertices[0].metrics['write-records'] as number;

describe('dashboard', () => {
  it('serves the page and its code without a token from the REST port; the data needs the token, which the page asks for', async () => {
    const html = await fetch(`${cluster.url}/`).then((r) => r.text());
    expect(html).toContain('<script type="module" src="web/app.js">');
    const js = await fetch(`${cluster.url}/web/app.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${cluster.url}/web/nothing.js`)).status).toBe(404);
    expect((await fetch(`${cluster.url}/overview`)).status).toBe(401);
    expect((await fetch(`${cluster.url}/sql/tables`)).status).toBe(401);
    await page.goto(`${cluster.url}/#/overview`);
    await page.locator('[data-testid=token]').fill(TOKEN);
    await page.locator('[data-testid=token]').press('Enter');
    await expect.poll(() => page.locator('[data-testid=tile-taskmanagers] .tile-value').textContent()).toBe('1');
  });

  it('submits a bundle through the page, and its record counts rise', async () => {
    const bundle = compileFixture('test/cluster/fixtures/windowed-sums.ts', ['--rows', '10000000', '--output', path.join(tempDir(), 'out')]);
    await page.goto(`${cluster.url}/#/submit`);
    await page.locator('[data-testid=upload]').setInputFiles(bundle);
    await page.locator('[data-testid=choose-jar]').first().click();
    await screenshot(page, 'submit');
    await page.locator('[data-testid=program-args]').fill('--set numbers.rows-per-second=400 -D execution.checkpointing.interval=500ms -D restart-strategy.type=fixed-delay -D restart-strategy.fixed-delay.attempts=1000 -D restart-strategy.fixed-delay.delay=1s');
    await page.locator('[data-testid=submit-job]').click();
    await page.waitForURL(/#\/job\/[0-9a-f]{32}\/overview$/);
    jobId = /job\/([0-9a-f]{32})/.exec(page.url())![1];
    const job = await cluster.job(jobId);
    expect(job.name).toBe('Windowed Sums');

    await expect.poll(sourceRecordsOut, { timeout: 30_000 }).toBeGreaterThan(0);
    const before = await restSourceRecordsOut();
    await expect.poll(sourceRecordsOut, { timeout: 15_000 }).toBeGreaterThan(before);
    const shown = await sourceRecordsOut();
    expect(shown).toBeLessThanOrEqual(await restSourceRecordsOut());
    expect(await page.locator('[data-testid=graph-vertex]').count()).toBe(job.vertices.length);
    expect(await page.locator('[data-testid=vertex-row]').count()).toBe(job.vertices.length);
    // Event time: some vertex past the source shows the watermark (ids are seconds since the epoch: 1970).
    await expect.poll(async () => (await page.locator('[data-testid=watermark]').allTextContents()).join(' '), { timeout: 15_000 }).toMatch(/1970-01-01 \d\d:\d\d:\d\d/);
    await page.locator('[data-testid=graph-vertex]').first().click();
    await expect.poll(() => page.locator('[data-testid=subtasks] tbody tr').count(), { timeout: 10_000 }).toBe(job.vertices[0].parallelism);
    await expect.poll(() => page.locator('[data-testid=subtasks] tbody tr').first().textContent()).toContain('RUNNING');
    await screenshot(page, 'job');
    await page.goto(`${cluster.url}/#/overview`);
    await expect.poll(() => page.locator('[data-testid=running-jobs]').textContent()).toContain(jobId);
    await screenshot(page, 'overview');
    await page.goto(`${cluster.url}/#/taskmanagers`);
    await expect.poll(() => page.locator('[data-testid=taskmanagers] tbody tr').count()).toBe(1);
    await screenshot(page, 'taskmanagers');
    await page.locator('[data-testid=taskmanagers] tbody a').first().click();
    await expect.poll(() => page.locator('[data-testid=tm-metrics]').textContent()).toMatch(/heap/i);
    await screenshot(page, 'taskmanager');
    await page.goto(page.url().replace(/\/metrics$/, '/log'));
    await expect.poll(() => page.locator('[data-testid=log-text]').textContent()).toMatch(/Registering|registered|taskmanager/i);
    await page.goto(`${cluster.url}/#/jobmanager/config`);
    await expect.poll(() => page.locator('[data-testid=jobmanager-config]').textContent()).toContain('heartbeat.timeout');
    await screenshot(page, 'jobmanager');
    await page.goto(`${cluster.url}/#/job/${jobId}/checkpoints`);
    await expect.poll(async () => cellNumber(await page.locator('[data-testid=cp-completed] .tile-value').textContent()), { timeout: 15_000 }).toBeGreaterThan(0);
    await screenshot(page, 'checkpoints');

    // The Output tab: the rows the filesystem sink wrote, each equal to its window's sum and count computed here.
    await page.goto(`${cluster.url}/#/job/${jobId}/output`);
    const sums = page.locator('[data-testid=output-sink][data-table=sums]');
    await expect.poll(async () => (await sums.textContent())!.split('\n').length, { timeout: 15_000 }).toBe(50);
    const written = (await sums.textContent())!.split('\n');
    for (const row of written) {
      const m = /^\+I\[(\d), (1970-01-\d\dT\d\d:\d\d(?::\d\d)?), (\d+), (\d+)\]$/.exec(row);
      expect(m, row).not.toBeNull();
      const start = Date.parse(m![2] + 'Z') / 1000;
      const ids = Array.from({ length: 10 }, (_, i) => start + i).filter((id) => id >= 1 && id % 7 === Number(m![1]));
      expect([Number(m![3]), Number(m![4])], row).toEqual([ids.reduce((a, b) => a + b, 0), ids.length]);
    }
    // Live: newer windows arrive.
    await expect.poll(async () => (await sums.textContent())!.split('\n').at(-1), { timeout: 15_000 }).not.toBe(written.at(-1));
    await screenshot(page, 'output');
  });

  it("shows a killed taskmanager's exception, and the job resumes on a new one", async () => {
    process.kill(cluster.pid('taskmanager-1'), 'SIGKILL');
    await page.goto(`${cluster.url}/#/job/${jobId}/exceptions`);
    await expect.poll(() => page.locator('[data-testid=exceptions]').textContent(), { timeout: 15_000 }).toContain('TaskManagerLostException');
    await page.locator('[data-testid=exceptions] details', { hasText: 'TaskManagerLostException' }).first().click();
    await screenshot(page, 'exceptions');
    const tm = cluster.sluice(['taskmanager', 'start']);
    expect(tm.status, tm.stderr).toBe(0);
    await page.goto(`${cluster.url}/#/job/${jobId}/overview`);
    await expect.poll(() => page.locator('.job-header .badge').textContent(), { timeout: 30_000 }).toBe('RUNNING');
  });

  it('stops the job with a savepoint from the page', async () => {
    await page.locator('[data-testid=savepoint-dir]').fill(savepoints);
    await expect.poll(() => page.locator('[data-testid=stop-with-savepoint]').isEnabled(), { timeout: 15_000 }).toBe(true);
    await page.locator('[data-testid=stop-with-savepoint]').click();
    await expect.poll(() => page.locator('[data-testid=operation-result]').textContent(), { timeout: 30_000 }).toContain(savepoints);
    const location = (await page.locator('[data-testid=operation-result]').textContent())!;
    expect(fs.existsSync(location.replace(/^file:/, ''))).toBe(true);
    await cluster.waitForState(jobId, 'FINISHED', 15_000);
    await expect.poll(() => page.locator('.job-header .badge').textContent(), { timeout: 10_000 }).toBe('FINISHED');
    await page.goto(`${cluster.url}/#/jobs/completed`);
    await expect.poll(() => page.locator('[data-testid=completed-jobs]').textContent()).toContain(jobId);
  });

  it('the SQL page shows a compile error at its line and column, then previews rows live', async () => {
    await page.goto(`${cluster.url}/#/sql`);
    await expect.poll(() => page.locator('[data-testid=sql-query]').inputValue()).toBe('SELECT * FROM numbers');
    await page.locator('[data-testid=sql-query]').fill('SELECT id,\n  idd FROM numbers');
    await page.locator('[data-testid=sql-run]').click();
    await expect.poll(() => page.locator('[data-testid=sql-error]').textContent(), { timeout: 30_000 }).toMatch(/Query, line 2, column 3:\s*unknown column 'idd'/);
    await screenshot(page, 'sql-error');

    await page.locator('[data-testid=sql-query]').fill('SELECT id, id * 2 AS twice FROM numbers WHERE id % 2 = 0');
    await page.locator('[data-testid=sql-run]').click();
    await expect.poll(() => page.locator('[data-testid=sql-rows] tbody tr').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(5);
    const rows = await page.locator('[data-testid=sql-rows] tbody tr').evaluateAll((trs) => trs.slice(0, 5).map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent)));
    // The datagen sequence starts at 1: the even ids and their doubles, in order.
    expect(rows).toEqual([2, 4, 6, 8, 10].map((id) => ['+I', String(id), String(id * 2)]));
    await screenshot(page, 'sql');
    // Leaving the page cancels the preview job: its process ends and removes its directory.
    await page.goto(`${cluster.url}/#/overview`);
    const previews = path.join(cluster.dir, 'sql-previews');
    await cluster.waitFor('the preview job to end', async () => !fs.existsSync(previews) || fs.readdirSync(previews).length === 0, 15_000);
    expect(errors).toEqual([]);
  });
});
