import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../../cluster/index.js';
import { removeDeployment } from '../../deploy/index.js';
import { loadDeployedRules } from '../../engine/rules.js';
import { layoutOf } from '../../layout/index.js';
import { deployPack } from '../../scenarios/deploy-pack.js';
import { contentRepository, writeNew } from '../scaffold.js';
import { connectTestCluster } from '../../../test/setup/connect.js';
import { firedrill } from '../../../test/setup/cli.js';

const SCENARIO = 'scenarios/an1608/gcp-service-account-created-then-key.yaml';
const RULE = 'an1608-gcp-service-account-created-then-key';
const MINE = 'fh-mine';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await connectTestCluster();
  await deployPack(cluster);
});
afterAll(async () => {
  await removeDeployment(cluster, MINE);
  await cluster.close();
});

async function deployedRuleIds(deployment: string): Promise<string[]> {
  return (await loadDeployedRules(cluster, layoutOf(deployment))).map((r) => r.id);
}

describe('firedrill test never touches what it does not own', () => {
  it('by default deploys into a throwaway deployment, removes it, and leaves the default one as it was', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'fd-test-own-'));
    // --without-rule used to prune that rule from the default deployment.
    const run = await firedrill(
      'test',
      SCENARIO,
      '--report-dir',
      reports,
      '--timeout',
      '2s',
      '--without-rule',
      RULE,
    );
    expect(run.code).toBe(1);
    const throwaway = /deployment '(test-[0-9a-f]{8})' \(throwaway\)/.exec(run.stderr)?.[1];
    expect(throwaway, run.stderr).toBeDefined();
    expect(await deployedRuleIds('default')).toContain(RULE);
    expect((await firedrill('plan', '--detailed-exitcode')).code).toBe(0);
    for (const pattern of layoutOf(throwaway!).ownedPatterns) {
      expect(Object.keys(await cluster.getPipelines(pattern))).toEqual([]);
      expect(Object.keys(await cluster.getIndexMetas(pattern))).toEqual([]);
    }
  });

  it('--deployment NAME tests in that deployment, keeps it, and prunes it only with --yes', async () => {
    await deployPack(cluster, { deployment: MINE });
    const reports = mkdtempSync(join(tmpdir(), 'fd-test-mine-'));
    const args = ['test', SCENARIO, '--deployment', MINE, '--report-dir', reports, '--timeout', '2s'];
    const kept = await firedrill(...args, '--without-rule', RULE);
    expect(kept.stderr).toContain(`deployment '${MINE}'\n`);
    expect(await deployedRuleIds(MINE)).toContain(RULE);
    const pruned = await firedrill(...args, '--without-rule', RULE, '--yes');
    expect(pruned.code).toBe(1);
    expect(await deployedRuleIds(MINE)).not.toContain(RULE);
    const passed = await firedrill(...args);
    expect(passed.code).toBe(0);
    expect(await deployedRuleIds(MINE)).toContain(RULE);
    expect(await deployedRuleIds('default')).toContain(RULE);
  });

  it('passes on the repository `firedrill init` writes, with the pipelines from the package', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'fd-test-init-')), 'my-content');
    writeNew(dir, contentRepository('local')); // what `firedrill init` writes (the helper adds --target)
    const run = await firedrill('test', '--content', dir, '--report-dir', join(dir, 'reports'));
    expect(run.stderr).toContain('pass access-key-created');
    expect(run.stderr).toContain('pass nothing-happens');
    expect(run.stdout).toMatch(/passed: 2\/2 scenario/);
    expect(run.code).toBe(0);
  });
});
