import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleRun } from './fixtures/sample-run.js';
import { computeCoverage } from './coverage.js';
import { htmlReport } from './html.js';
import { junitReport } from './junit.js';

/** Runs in the page; the project has no DOM typings, so reach getComputedStyle through globalThis. */
const backgroundOf = (el: unknown): string =>
  (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el)
    .backgroundColor;

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.FIREDRILL_REQUIRE_CHROMIUM === '1')
  throw new Error(`FIREDRILL_REQUIRE_CHROMIUM=1 but ${CHROMIUM} is missing (apt-get install -y chromium)`);

describe('HTML report (static)', () => {
  const run = sampleRun();
  const html = htmlReport(run, computeCoverage(run));

  it('is self-contained: no external scripts, styles, images or fonts', () => {
    expect(html).not.toMatch(/<script|<link|src=|url\(|@import/i);
  });

  it('escapes scenario text', () => {
    expect(html).toContain('expected 1 alert, got 0 &lt;none&gt;');
  });
});

describe.skipIf(!available)(`HTML report in headless Chromium${available ? '' : ' (skipped: /usr/bin/chromium not installed)'}`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
  });
  afterAll(async () => browser?.close());

  it('renders the matrix with covered techniques, rule status and timelines', async () => {
    const run = sampleRun();
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.setContent(htmlReport(run, computeCoverage(run)));
    expect(await page.title()).toBe('firedrill coverage report');
    expect(await page.locator('#verdict').innerText()).toContain('FAILED: 2/3 scenarios passed');
    const tactics = await page.locator('#matrix .tactic h3').allInnerTexts();
    expect(tactics.map((t) => t.split('\n')[0])).toEqual(['Persistence', 'Privilege Escalation']);
    const cell = page.locator('#matrix [data-tactic="TA0003"] [data-technique="T1136.003"]');
    await expect.poll(() => cell.getAttribute('data-status')).toBe('proven');
    expect(await cell.innerText()).toContain('Create Account: Cloud Account');
    expect(await cell.isVisible()).toBe(true);
    // Proven cells are painted green, failing ones red: the colors really apply.
    expect(await cell.evaluate(backgroundOf)).toBe('rgb(46, 158, 79)');
    const failing = page.locator('#matrix [data-tactic="TA0004"] [data-technique="T1098.001"]');
    expect(await failing.evaluate(backgroundOf)).toBe('rgb(211, 69, 61)');
    expect(await page.locator('#rules tr[data-rule="rule-failing"]').getAttribute('data-status')).toBe('failing');
    // The failed scenario is open; its timeline orders events and alerts.
    const broken = page.locator('details[data-scenario="attack-broken"]');
    expect(await broken.getAttribute('open')).not.toBeNull();
    const ok = page.locator('details[data-scenario="attack-ok"]');
    await ok.locator('summary').click();
    expect(await ok.locator('.timeline li').allInnerTexts()).toEqual([
      expect.stringContaining('+0s CreateUser — admin → bob'),
      expect.stringContaining('+5s ALERT rule-proven'),
    ]);
    expect(requests.filter((u) => !u.startsWith('about:') && !u.startsWith('data:'))).toEqual([]);
  });

  it('parses the JUnit XML as well-formed XML, control characters and all', async () => {
    const run = sampleRun();
    run.scenarios[1]!.failures.push('bad \u0001 byte & <tag> "quoted"');
    const page = await browser.newPage();
    const parsed = await page.evaluate((text) => {
      const doc = new (globalThis as unknown as { DOMParser: new () => { parseFromString(t: string, m: string): XmlDoc } }).DOMParser().parseFromString(
        text,
        'application/xml',
      );
      type XmlDoc = { getElementsByTagName(n: string): { length: number; item(i: number): { textContent: string | null } | null } };
      return {
        errors: doc.getElementsByTagName('parsererror').length,
        cases: doc.getElementsByTagName('testcase').length,
        failure: doc.getElementsByTagName('failure').item(0)?.textContent ?? '',
      };
    }, junitReport(run));
    expect(parsed).toEqual({
      errors: 0,
      cases: 3,
      failure: 'rule-failing: expected 1 alert, got 0 <none>\nbad  byte & <tag> "quoted"',
    });
  });
});
