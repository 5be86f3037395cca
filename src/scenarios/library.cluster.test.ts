import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../cluster/index.js';
import { loadScenario } from '../validate/index.js';
import { deployPack } from './deploy-pack.js';
import { drill } from './drill.js';
import { ScenarioHarness } from './harness.js';
import { cleanup } from '../replay/replay.js';
import { computeCoverage } from '../reports/coverage.js';
import { writeReports } from '../reports/write.js';
import { connectTestCluster } from '../../test/setup/connect.js';
import { firedrill } from '../../test/setup/cli.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await connectTestCluster();
});
afterAll(async () => {
  await deployPack(cluster); // whatever a test removed comes back for the next file
  await cluster.close();
});

describe('the AN1608 scenario library', () => {
  it('passes end to end: every scenario, every rule proven by a passing attack scenario', async () => {
    const reportDir = mkdtempSync(join(tmpdir(), 'firedrill-reports-'));
    const run = await drill(cluster);
    const reports = await writeReports(run, reportDir);
    const failed = run.scenarios.filter((s) => !s.passed).map((s) => `${s.name}: ${s.failures.join('; ')}`);
    expect(failed).toEqual([]);
    expect(run.scenarios.length).toBeGreaterThanOrEqual(31);
    const coverage = computeCoverage(run);
    expect(coverage.rules.filter((r) => r.status !== 'proven').map((r) => r.id)).toEqual([]);
    // Every rule has at least one attack scenario and one benign look-alike naming it.
    for (const rule of coverage.rules) {
      expect(
        rule.scenarios.some((s) => s.kind === 'attack'),
        `${rule.id} attack`,
      ).toBe(true);
      expect(
        run.scenarios.some(
          (s) =>
            s.kind === 'benign' &&
            s.expectations.some(
              (e) => e.kind === 'must_not_fire' && (e.subject === rule.id || e.subject === 'any'),
            ),
        ),
        `${rule.id} benign`,
      ).toBe(true);
    }
    // The run cleaned up after itself.
    const markers = run.scenarios.map((s) => s.marker);
    expect(
      await cluster.count(['logs-*', 'firedrill-alerts'], { terms: { 'firedrill.marker': markers } }),
    ).toBe(0);
    const junit = readFileSync(reports!.files.junit, 'utf8');
    expect(junit).toContain(`tests="${run.scenarios.length}" failures="0"`);
    const layer = JSON.parse(readFileSync(reports!.files.navigator, 'utf8')) as {
      techniques: { techniqueID: string; score: number }[];
    };
    expect(layer.techniques.find((t) => t.techniqueID === 'T1136.003')?.score).toBe(100);
    expect(readFileSync(reports!.files.html, 'utf8')).toContain(
      'data-technique="T1098.001" data-status="proven"',
    );
    const json = JSON.parse(readFileSync(reports!.files.json, 'utf8')) as {
      scenarios: unknown[];
      coverage: unknown;
    };
    expect(json.scenarios).toHaveLength(run.scenarios.length);
    expect(json.coverage).toEqual(JSON.parse(JSON.stringify(coverage)));
  });

  it('is not disturbed by the copies a crashed run left behind: replayed ids are per marker', async () => {
    const scenario = loadScenario('scenarios/an1608/aws-root-creates-user.yaml');
    const crashed = await new ScenarioHarness(cluster).withKeep().runScenario(scenario);
    expect(crashed.passed).toBe(true);
    const next = await new ScenarioHarness(cluster).runScenario(scenario);
    expect(next.ingest).toMatchObject({ read: 2, indexed: 2, duplicates: 0 });
    expect(next.passed).toBe(true);
    expect(await cluster.count('logs-*', { term: { 'firedrill.marker': crashed.marker } })).toBe(2);
    await cleanup(cluster, crashed.marker);
  });

  it('stops the whole run with one error when the cluster cannot ingest', async () => {
    await cluster.deletePipeline('firedrill-router');
    const scenarios = ['aws-self-key-rotation', 'aws-user-created-then-key'].map((n) =>
      loadScenario(`scenarios/an1608/${n}.yaml`),
    );
    let seen = 0;
    const run = new ScenarioHarness(cluster)
      .onScenario(() => seen++)
      .withConcurrency(1)
      .run(scenarios);
    await expect(run).rejects.toThrow(
      /^replaying aws-self-key-rotation failed: pipeline firedrill-router is not deployed on /,
    );
    expect(seen).toBe(0);
    await deployPack(cluster);
    expect(await cluster.getPipeline('firedrill-router')).toBeDefined();
  });

  it('fails the scenarios of a rule that is removed', async () => {
    const removed = 'an1608-aws-user-created-then-credential';
    const all = await deployPack(cluster);
    const without = await deployPack(cluster, { withoutRules: [removed] });
    expect(without.map((r) => r.id)).not.toContain(removed);
    // The harness still believes the whole pack is there: only the cluster's missing rule can explain the silence.
    const result = await new ScenarioHarness(cluster)
      .withRules(all)
      .withTimeout(2000)
      .runScenario(loadScenario('scenarios/an1608/aws-user-created-then-key.yaml'));
    expect(result.passed).toBe(false);
    expect(result.failures).toEqual([`must_fire ${removed}: expected 1 alert(s), got 0`]);
    // The other rules of the same scenario still fire.
    expect(result.expectations.filter((e) => e.passed).map((e) => e.subject)).toContain(
      'an1608-aws-access-key-for-other-user',
    );
  });

  it('`firedrill demo --target` prints the alerts and coverage and writes the HTML report', async () => {
    const reportDir = mkdtempSync(join(tmpdir(), 'firedrill-demo-'));
    const out = await firedrill('demo', '--report-dir', reportDir);
    expect(out.stderr).toContain('replaying scenarios');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('alerts raised by the attack scenarios');
    expect(out.stdout).toMatch(
      /aws-user-created-then-key:\n( {2}▲ .*\n)* {2}▲ an1608-aws-user-created-then-credential \[high\] by ci-deployer → svc-backup-admin/,
    );
    expect(out.stdout).toContain('T1136.003 Create Account: Cloud Account — proven');
    expect(out.stdout).toContain(`coverage report: ${join(reportDir, 'coverage.html')}`);
    expect(readFileSync(join(reportDir, 'coverage.html'), 'utf8')).toContain(
      '<title>firedrill coverage report</title>',
    );
  });

  it('`firedrill test` exits non-zero with the reason when a scenario fails, zero when all pass', async () => {
    const reportDir = mkdtempSync(join(tmpdir(), 'firedrill-cli-reports-'));
    const scenario = 'scenarios/an1608/gcp-service-account-created-then-key.yaml';
    const bad = await firedrill(
      'test',
      scenario,
      '--report-dir',
      reportDir,
      '--timeout',
      '2s',
      '--without-rule',
      'an1608-gcp-service-account-created-then-key',
    );
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('FAIL gcp-service-account-created-then-key');
    expect(bad.stdout).toContain(
      'must_fire an1608-gcp-service-account-created-then-key: expected an alert, but rule an1608-gcp-service-account-created-then-key is not deployed',
    );
    expect(readFileSync(join(reportDir, 'junit.xml'), 'utf8')).toContain('failures="1"');
    const good = await firedrill('test', scenario, '--report-dir', reportDir);
    expect(good.stderr).toContain('pass gcp-service-account-created-then-key');
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/passed: 1\/1 scenario/);
  });
});
