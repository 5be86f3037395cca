import { existsSync, mkdirSync, statSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleRun } from './fixtures/sample-run.js';
import { computeCoverage } from './coverage.js';
import { formatOffset, htmlReport, ruleVerdicts, type HtmlReportOptions } from './html.js';
import type { RunResult } from '../scenarios/results.js';
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

/** The sample run plus what a real one has: a benign scenario that raised an alert, a long volume scenario. */
function richRun(): RunResult {
  const run = sampleRun();
  const base = run.scenarios[2]!;
  const start = Date.parse('2026-11-24T08:00:00Z');
  const at = (s: number) => new Date(start + s * 1000).toISOString();
  run.scenarios.push(
    {
      ...base,
      name: 'benign-noisy',
      passed: false,
      failures: ['must_not_fire any: rule-covered fired 1 alert'],
      expectations: [{ kind: 'must_not_fire', subject: 'any', passed: false, detail: 'rule-covered fired 1 alert' }],
      alerts: [{ time: at(10), rule: 'rule-covered', severity: 'low', target: 'carol' }],
    },
    {
      ...base,
      name: 'attack-volume',
      kind: 'attack',
      expectations: [{ kind: 'must_fire', subject: 'rule-proven', passed: true, detail: '1 alert' }],
      events: Array.from({ length: 500 }, (_, i) => ({
        time: at(i * 15),
        source: 'aws-cloudtrail',
        action: i === 300 ? 'CreateUser' : 'ListBuckets',
        actor: i === 300 ? 'intruder' : 'reader',
        target: i === 300 ? 'mallory' : undefined,
      })),
      alerts: [{ time: at(300 * 15 + 5), rule: 'rule-proven', severity: 'medium', target: 'mallory' }],
    },
  );
  return run;
}

const ATTACK: HtmlReportOptions['attack'] = [
  {
    tactic: { id: 'TA0003', name: 'Persistence' },
    techniques: [
      { id: 'T1098.001', name: 'Account Manipulation: Additional Cloud Credentials' },
      { id: 'T1098.003', name: 'Account Manipulation: Additional Cloud Roles' },
      { id: 'T1136.003', name: 'Create Account: Cloud Account' },
    ],
  },
];

describe('HTML report (what a reader needs)', () => {
  const run = richRun();
  const html = htmlReport(run, computeCoverage(run), { attack: ATTACK });

  it('writes offsets for people', () => {
    expect([0, 5_000, 45_000, 4_500_000, 7_200_000, 183_600_000].map(formatOffset)).toEqual([
      '+0s',
      '+5s',
      '+45s',
      '+1h15m',
      '+2h',
      '+2d3h',
    ]);
    expect(html).toContain('+1h15m');
  });

  it("gives each rule's verdict per scenario", () => {
    expect(ruleVerdicts('rule-proven', run).map((v) => `${v.scenario}: ${v.verdict}`)).toEqual([
      'attack-ok: fired as expected',
      'benign-quiet: stayed quiet as expected',
      'attack-volume: fired as expected',
    ]);
    expect(ruleVerdicts('rule-failing', run).map((v) => `${v.scenario}: ${v.ok}`)).toEqual(['attack-broken: false']);
    expect(ruleVerdicts('rule-covered', run)).toEqual([
      { scenario: 'benign-noisy', kind: 'benign', ok: false, verdict: 'failed: fired 1 alert(s), must stay quiet' },
    ]);
  });

  it('folds a long timeline around its alerts and their events', () => {
    const block = html.slice(html.indexOf('data-scenario="attack-volume"'));
    const timeline = block.slice(0, block.indexOf('</ol>'));
    expect(timeline).toContain('ALERT</b> <code>rule-proven</code>');
    expect(timeline).toContain('CreateUser — intruder → mallory');
    expect(timeline).toMatch(/… \d+ other event\(s\), \+1m15s to \+1h14m/);
    expect(timeline.match(/<li /g)!.length).toBeLessThan(20);
  });

  it('lists the expectations, highlights a benign scenario that raised alerts, and shows uncovered techniques', () => {
    expect(html).toContain('data-expectation="must_fire rule-failing"');
    expect(html).toMatch(/class="scenario noisy" data-scenario="benign-noisy"[^>]* open/);
    expect(html).toContain('raised 1 alert(s) it does not expect: rule-covered');
    expect(html).toContain('data-technique="T1098.003" data-status="uncovered"');
    expect(html).not.toContain('data-technique="T1136.003" data-status="uncovered"');
  });
});

describe.skipIf(!available)('HTML report screenshot in headless Chromium', () => {
  it('renders the highlights and keeps a screenshot for CI (reports/coverage-report.png)', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const run = richRun();
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.setContent(htmlReport(run, computeCoverage(run), { attack: ATTACK }));
      const noisy = page.locator('details[data-scenario="benign-noisy"]');
      expect(await noisy.getAttribute('open')).not.toBeNull();
      expect(await noisy.locator('summary .unexpected').isVisible()).toBe(true);
      expect(await noisy.evaluate(backgroundOf)).toBe('rgb(255, 248, 230)');
      const gap = page.locator('#matrix [data-technique="T1098.003"]');
      expect(await gap.isVisible()).toBe(true);
      expect(await gap.innerText()).toContain('not covered');
      const verdicts = await page.locator('#rules tr[data-rule="rule-proven"] td:nth-child(4)').innerText();
      expect(verdicts).toContain('benign-quiet (benign): stayed quiet as expected');
      const volume = page.locator('details[data-scenario="attack-volume"]');
      await volume.locator('summary').click();
      expect(await volume.locator('.timeline li.alert').count()).toBe(1);
      mkdirSync('reports', { recursive: true });
      await page.screenshot({ path: 'reports/coverage-report.png', fullPage: true });
      expect(statSync('reports/coverage-report.png').size).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  });
});
