// The status page in a real headless browser: Debian's chromium, driven by playwright-core (no
// browser is downloaded: it runs the system one). The real daemon (`node dist/cli.js run`) reads
// the simulator on 127.0.0.1, which holds resources of several kinds, one named with markup and
// one failed with markup in its message. The test loads the page and checks the rows, each filter
// (live, and kept in the URL), the same page without JavaScript, a refresh without reload, the
// history view, that hostile text renders as text and runs nothing, and that the console shows no
// error and no Content-Security-Policy violation, and that nothing is fetched from another origin.
// It also checks that the script rebuilds exactly the rows the server rendered.
//
// It lives in the e2e suite (run once by CI after `npm test`, see .ci/run) rather than in
// test/integration: a browser adds seconds and ~200 MB, and the page does not change with the
// Node version or the clock that `npm test` and `test:later` vary.
//
// UPDATE_SCREENSHOT=1 rewrites docs/status-page.png (shown in README.md) from this run.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { startSimulator, type Simulator } from '../../src/dev/sim/server.js';
import { baseConfig, DAEMON_CREDS, daemonEnv, startDaemon, until, workdir, type Daemon } from '../helpers/daemon.js';
import { CLI, ROOT } from './helpers.js';

// The callbacks given to page.evaluate / $$eval / waitForFunction run in the browser; these names
// are the browser's (the test's tsconfig has no DOM library).
declare const window: any;
declare const document: any;
declare const CSS: any;
type HTMLElement = any;

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const skip = !existsSync(CHROMIUM)
  ? `the status page test needs Debian's chromium at ${CHROMIUM} (apt-get install chromium; CHROMIUM=path names another)`
  : !existsSync(CLI)
    ? 'dist/cli.js is absent (npm run build first)'
    : undefined;

const C = '5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f';
const M = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const HOSTILE = '<img src=x onerror=window.__xss=1>';
const FAILURE = 'Training data <b>missing</b> at s3://ml-input/<prefix>; see <a href="javascript:window.__xss=2">log</a>';
const SCREENSHOT = join(ROOT, 'docs/status-page.png');

/** A row as the page shows it: kind, name, status chip text, failure text. */
interface Row {
  kind: string;
  name: string;
  status: string;
  failure: string;
}

async function rows(page: Page): Promise<Row[]> {
  return page.$$eval('#rows tr[data-id]', (trs) =>
    trs.map((tr) => ({
      kind: tr.querySelector('.c-kind')!.textContent!,
      name: tr.querySelector('.c-name a')!.textContent!,
      status: tr.querySelector('.c-status .chip')!.textContent!,
      failure: tr.querySelector('.c-failure')!.textContent!,
    })),
  );
}

describe('status page in headless chromium', { skip, timeout: 180_000 }, () => {
  let sim: Simulator;
  let daemon: Daemon;
  let browser: Browser;
  let page: Page;
  let admin = '';
  const ids: Record<string, string> = {};
  /** Every console message of type error or warning, every page error, every CSP violation, every request elsewhere. */
  const problems: string[] = [];

  before(async () => {
    sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: DAEMON_CREDS });
    const [seasonal, spring, hostile] = sim.putJobs([
      { name: 'holiday-lookalike-2026', status: 'ACTIVE', collaborationId: C },
      { name: 'spring-prospects', status: 'CREATE_IN_PROGRESS', collaborationId: C },
      { name: HOSTILE, status: 'CREATE_IN_PROGRESS', collaborationId: C },
    ]) as Array<{ audienceGenerationJobArn: string }>;
    const placed = sim.putResources([
      { kind: 'trainedModel', name: 'fraud-model-v7', status: 'CREATE_IN_PROGRESS', membershipId: M, collaborationId: C },
      { kind: 'trainedModel', name: 'churn-model', status: 'ACTIVE', membershipId: M, collaborationId: C },
      { kind: 'mlInputChannel', name: 'clicks-2026-q4', status: 'CREATE_IN_PROGRESS', membershipId: M, collaborationId: C },
      { kind: 'mlInputChannel', name: 'purchases-channel', status: 'ACTIVE', membershipId: M, collaborationId: C },
    ]) as Array<{ id: string; name: string }>;
    ids.seasonal = seasonal!.audienceGenerationJobArn;
    ids.spring = spring!.audienceGenerationJobArn;
    ids.hostile = hostile!.audienceGenerationJobArn;
    for (const r of placed) ids[r.name] = r.id;

    const w = await workdir('status-page');
    const config = baseConfig({ simUrl: sim.url, stateDir: w.stateDir, collaborationId: C, targets: [] });
    await w.writeConfig({ ...config, discovery: [{ collaborationId: C }, { membershipId: M }] });
    daemon = await startDaemon(w);
    admin = daemon.adminUrl;
    const count = async () => ((await (await fetch(`${admin}/api/resources`)).json()) as { resources: unknown[] }).resources.length;
    await until(async () => (await count()) === 7, 'the daemon to read all 7 resources', 30_000);
    // Transitions the page shows: one job reaches ACTIVE, a model fails with markup in its message.
    sim.setStatus(ids.spring, { status: 'ACTIVE' });
    sim.setResourceStatus(ids['fraud-model-v7']!, {
      status: 'CREATE_FAILED',
      statusDetails: { statusCode: 'INTERNAL<ERROR>', message: FAILURE },
    });
    await until(
      async () => {
        const v = (await (await fetch(`${admin}/api/resources?class=failure`)).json()) as {
          resources: Array<{ lastTransition?: unknown }>;
        };
        return v.resources.length === 1 && v.resources[0]!.lastTransition !== undefined;
      },
      'the failure to be read',
      30_000,
    );

    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await newPage(browser, true);
  });

  after(async () => {
    await browser?.close();
    await daemon?.kill();
    await sim?.close();
  });

  async function newPage(b: Browser, javaScriptEnabled: boolean): Promise<Page> {
    const context = await b.newContext({ viewport: { width: 1280, height: 720 }, javaScriptEnabled, colorScheme: 'light' });
    const p = await context.newPage();
    p.on('console', (m: ConsoleMessage) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    p.on('request', (r) => {
      if (!r.url().startsWith(`${admin}/`)) problems.push(`request elsewhere: ${r.url()}`);
    });
    // Injected by the driver (outside the page's CSP): records every violation the page causes.
    await p.addInitScript(() => {
      const w = window as unknown as { __csp: string[] };
      w.__csp = [];
      document.addEventListener('securitypolicyviolation', (e: any) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    return p;
  }

  async function noViolation(p: Page): Promise<void> {
    assert.deepEqual(await p.evaluate(() => (window as unknown as { __csp: string[] }).__csp), [], 'no CSP violation');
    assert.equal(await p.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), undefined, 'no injected code ran');
  }

  test('the list: every resource, chips by class, the hostile name as text, the failure message as text', async () => {
    const res = await page.goto(`${admin}/`);
    assert.equal(res?.status(), 200);
    const all = await rows(page);
    assert.deepEqual(
      all.map((r) => [r.kind, r.name, r.status]),
      [
        ['audience generation job', HOSTILE, 'CREATE_IN_PROGRESS'],
        ['audience generation job', 'holiday-lookalike-2026', 'ACTIVE'],
        ['audience generation job', 'spring-prospects', 'ACTIVE'],
        ['trained model', 'churn-model', 'ACTIVE'],
        ['trained model', 'fraud-model-v7', 'CREATE_FAILED'],
        ['ML input channel', 'clicks-2026-q4', 'CREATE_IN_PROGRESS'],
        ['ML input channel', 'purchases-channel', 'ACTIVE'],
      ],
    );
    assert.equal(await page.locator('#rows img, #rows script, #rows b').count(), 0, 'no element made from AWS text');
    assert.equal(all.find((r) => r.name === 'fraud-model-v7')?.failure, `INTERNAL<ERROR> ${FAILURE}`);
    assert.equal(await page.locator('#rows .chip-failure').count(), 1);
    assert.equal(await page.locator('#rows .chip-success').count(), 4);
    assert.equal(await page.locator('#rows .chip-inProgress').count(), 2);
    // The last transition the daemon saw, and time in status.
    const failedRow = page.locator(`#rows tr[data-id="${ids['fraud-model-v7']}"]`);
    assert.match(
      (await failedRow.locator('.c-transition').textContent()) ?? '',
      /^CREATE_IN_PROGRESS → CREATE_FAILED\d{4}-\d\d-\d\d \d\d:\d\d UTC$/,
    );
    assert.match((await failedRow.locator('.c-time').textContent()) ?? '', /^\d+ s$/);
    // Accessible: a table with a caption and column headers, labelled filters.
    assert.equal(await page.locator('table#resources > caption').textContent(), '7 resources');
    assert.equal(await page.locator('th[scope="col"]').count(), 6);
    for (const label of ['Search', 'Kind', 'Status']) assert.equal(await page.getByLabel(label).count(), 1, label);
    await noViolation(page);
  });

  test('the script rebuilds exactly the rows the server rendered', async () => {
    await page.goto(`${admin}/`);
    const snapshot = () =>
      page.$$eval('#rows tr', (trs) =>
        trs.map((tr) => {
          const copy = tr.cloneNode(true) as HTMLElement;
          // Time in status moves on between the two renders.
          for (const t of copy.querySelectorAll('.c-time time')) t.textContent = '';
          return copy.outerHTML;
        }),
      );
    const server = await snapshot();
    await page.evaluate(() => {
      (document.querySelector('#rows tr') as unknown as { __old: boolean }).__old = true;
      document.getElementById('filters')!.dispatchEvent(new Event('change'));
    });
    await page.waitForFunction(() => !(document.querySelector('#rows tr') as unknown as { __old?: boolean }).__old);
    assert.deepEqual(await snapshot(), server);
    await noViolation(page);
  });

  test('each filter applies live and is kept in the URL; the URL alone gives the same page', async () => {
    await page.goto(`${admin}/`);
    const names = async () => (await rows(page)).map((r) => r.name);
    /** Until the rows are exactly these (the script fetches after each change). */
    const waitRows = (expected: string[]) =>
      page.waitForFunction(
        (want) => JSON.stringify([...document.querySelectorAll('#rows tr[data-id] .c-name a')].map((a) => a.textContent)) === want,
        JSON.stringify(expected),
      );

    await page.selectOption('#f-kind', 'trainedModel');
    await waitRows(['churn-model', 'fraud-model-v7']);
    assert.deepEqual(await names(), ['churn-model', 'fraud-model-v7']);
    assert.equal(new URL(page.url()).search, '?kind=trainedModel');

    await page.selectOption('#f-class', 'failure');
    await waitRows(['fraud-model-v7']);
    assert.deepEqual(await names(), ['fraud-model-v7']);
    assert.equal(new URL(page.url()).search, '?kind=trainedModel&class=failure');
    assert.equal(await page.locator('#caption').textContent(), '1 of 7 resources');

    await page.selectOption('#f-kind', '');
    await page.selectOption('#f-class', '');
    await page.fill('#f-q', 'LOOKALIKE');
    await waitRows(['holiday-lookalike-2026']);
    assert.deepEqual(await names(), ['holiday-lookalike-2026']);
    assert.equal(new URL(page.url()).search, '?q=LOOKALIKE');

    await page.fill('#f-q', 'missing');
    await waitRows(['fraud-model-v7']);
    assert.deepEqual(await names(), ['fraud-model-v7'], 'free text looks in failure messages too');

    // A shared link: loaded afresh, the server renders the same filters and rows.
    await page.goto(`${admin}/?q=channel&class=success`);
    assert.deepEqual(await names(), ['purchases-channel']);
    assert.equal(await page.inputValue('#f-q'), 'channel');
    assert.equal(await page.inputValue('#f-class'), 'success');
    await noViolation(page);
  });

  test('without JavaScript: the filters are a GET form, the rows are there', async () => {
    const plain = await newPage(browser, false);
    try {
      await plain.goto(`${admin}/?kind=mlInputChannel`);
      assert.deepEqual(
        (await rows(plain)).map((r) => r.name),
        ['clicks-2026-q4', 'purchases-channel'],
      );
      await plain.fill('#f-q', 'clicks');
      await Promise.all([plain.waitForURL(/q=clicks/), plain.click('button[type="submit"]')]);
      assert.deepEqual(new URL(plain.url()).searchParams.get('kind'), 'mlInputChannel');
      assert.deepEqual(
        (await rows(plain)).map((r) => r.name),
        ['clicks-2026-q4'],
      );
    } finally {
      await plain.context().close();
    }
  });

  test('the page refreshes itself without a reload, keeping filters and scroll', async () => {
    await page.setViewportSize({ width: 1280, height: 300 });
    await page.goto(`${admin}/?kind=mlInputChannel`);
    await page.evaluate(() => {
      (window as unknown as { __same: boolean }).__same = true;
      window.scrollTo(0, 120);
    });
    const scrolled = await page.evaluate(() => window.scrollY);
    sim.setResourceStatus(ids['clicks-2026-q4']!, { status: 'ACTIVE' });
    // The script polls every 10 s.
    await page.waitForFunction(
      (id) => document.querySelector(`#rows tr[data-id="${CSS.escape(id)}"] .chip`)?.textContent === 'ACTIVE',
      ids['clicks-2026-q4']!,
      { timeout: 30_000 },
    );
    assert.equal(await page.evaluate(() => (window as unknown as { __same?: boolean }).__same), true, 'the same document: no reload');
    assert.equal(new URL(page.url()).search, '?kind=mlInputChannel');
    assert.equal(await page.inputValue('#f-kind'), 'mlInputChannel');
    assert.equal(await page.evaluate(() => window.scrollY), scrolled);
    await page.setViewportSize({ width: 1280, height: 720 });
    await noViolation(page);
  });

  test('a resource opens its history: a timeline, oldest first, with the failure as text', async () => {
    await page.goto(`${admin}/?class=failure`);
    await Promise.all([page.waitForURL(/[?&]id=/), page.click('#rows .c-name a')]);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('id'), ids['fraud-model-v7']);
    assert.equal(url.searchParams.get('class'), 'failure', 'the filters travel along');
    assert.equal(await page.locator('#detail-name').textContent(), 'fraud-model-v7');
    const phases = page.locator('#timeline li.phase');
    assert.ok((await phases.count()) >= 1);
    const last = phases.last();
    assert.equal(await last.locator('.chip').textContent(), 'CREATE_FAILED');
    assert.match((await last.textContent()) ?? '', /from \d{4}-\d\d-\d\d \d\d:\d\d UTC, seen .* for \d+ s so far/);
    assert.equal(await last.locator('.why').textContent(), `INTERNAL<ERROR> ${FAILURE}`);
    assert.equal(await page.locator('#detail a[href^="javascript"]').count(), 0);
    // Back keeps the filters.
    assert.equal(await page.getAttribute('#back', 'href'), '/?class=failure');
    // The script's refresh of this view writes what the server wrote.
    // The durations move on between the two, and so does the last check; the line breaks are the server's.
    const detail = () =>
      page.$eval('#detail', (d: HTMLElement) =>
        d.innerHTML
          .replace(/\b\d+ (s|min|h|d)( \d+ (min|h))?\b/g, 'D')
          .replace(/(<dt>Last checked<\/dt><dd>)[\s\S]*?(<\/dd>)/, '$1$2')
          .replace(/>\n+</g, '><'),
      );
    const server = await detail();
    await page.evaluate(() => {
      (document.querySelector('#timeline li') as { __old?: boolean }).__old = true;
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await page.waitForFunction(() => !(document.querySelector('#timeline li') as { __old?: boolean }).__old);
    assert.equal(await detail(), server);

    // The hostile resource's own page: its name is a heading's text.
    await page.goto(`${admin}/?id=${encodeURIComponent(ids.hostile!)}`);
    assert.equal(await page.locator('#detail-name').textContent(), HOSTILE);
    assert.equal(await page.title(), `${HOSTILE}: cleanroomsml-monitor`);
    await noViolation(page);
  });

  test('screenshot for the README (UPDATE_SCREENSHOT=1 rewrites docs/status-page.png)', async () => {
    await page.goto(`${admin}/`);
    const shot = await page.screenshot({ fullPage: true, type: 'png' });
    assert.ok(shot.length > 10_000, `a screenshot with content (${shot.length} bytes)`);
    if (process.env.UPDATE_SCREENSHOT === '1') writeFileSync(SCREENSHOT, shot);
    assert.ok(existsSync(SCREENSHOT), 'docs/status-page.png is committed');
    const committed = readFileSync(SCREENSHOT);
    assert.equal(committed.subarray(1, 4).toString(), 'PNG');
    assert.ok(statSync(SCREENSHOT).size < 400_000, 'small enough for the repository');
  });

  test('the console showed no error or warning, no CSP violation, no request to another origin', () => {
    assert.deepEqual(problems, []);
  });
});

describe('npm start (the demo) prints the status page URL', {
  skip: existsSync(CLI) ? undefined : 'dist/cli.js is absent (npm run build first)',
  timeout: 60_000,
}, () => {
  test('the printed URL serves the page', async () => {
    const child = spawn(process.execPath, [CLI, 'demo', '--port', '0'], { env: daemonEnv(tmpdir()), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await until(() => /status page: http:\/\/127\.0\.0\.1:\d+\//.test(out), 'the demo to print the status page URL', 30_000);
      const url = /status page: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)![1]!;
      const res = await fetch(url);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /<table id="resources"/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
