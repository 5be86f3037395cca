import { cpSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../cluster/index.js';
import { readAttackTable } from '../content/attack.js';
import { removeDeployment } from '../deploy/index.js';
import { deployPack } from '../scenarios/deploy-pack.js';
import { ScenarioHarness } from '../scenarios/harness.js';
import { loadScenarios } from '../validate/index.js';
import { connectTestCluster, uniqueName } from '../../test/setup/connect.js';
import { importSigma, writeImported } from './import.js';

const DEPLOYMENT = uniqueName('sigma');

let cluster: Cluster;
let content: string;
beforeAll(async () => {
  cluster = await connectTestCluster();
  // A content folder with the real pipelines, the ATT&CK table and the imported corpus as its only pack.
  content = mkdtempSync(join(tmpdir(), 'firedrill-sigma-'));
  cpSync('detections/attack', join(content, 'detections', 'attack'), { recursive: true });
  symlinkSync(resolve('pipelines'), join(content, 'pipelines'));
  const result = importSigma(['test/sigma/corpus'], { attack: readAttackTable('detections') });
  expect(result.refused).toEqual([]);
  writeImported(result, join(content, 'detections', 'sigma'));
});
afterAll(async () => {
  await removeDeployment(cluster, DEPLOYMENT).catch(() => undefined);
  await cluster.close();
});

describe('the Sigma corpus, imported, deployed and replayed', () => {
  it('fires on every attack scenario and stays quiet on every look-alike', async () => {
    const rules = await deployPack(cluster, { contentDir: content, deployment: DEPLOYMENT });
    expect(rules).toHaveLength(12);
    const scenarios = loadScenarios(['test/sigma/scenarios']);
    const run = await new ScenarioHarness(cluster).withDeployment(DEPLOYMENT).withRules(rules).run(scenarios);
    const failed = run.scenarios.filter((s) => !s.passed).map((s) => `${s.name}: ${s.failures.join('; ')}`);
    expect(failed).toEqual([]);
    expect(run.scenarios).toHaveLength(20);
    // Every imported rule is proven by an attack scenario, and named by a look-alike except where noted.
    const proven = new Set(
      run.scenarios
        .filter((s) => s.kind === 'attack')
        .flatMap((s) =>
          s.expectations.filter((e) => e.kind === 'must_fire' && e.passed).map((e) => e.subject),
        ),
    );
    expect([...proven].sort()).toEqual(rules.map((r) => r.id).sort());
  }, 600_000);
});
