import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/cluster/index.js';
import { deploy, deployHistory, rollback } from '../../src/deploy/index.js';
import { connectTestCluster, uniqueName } from '../setup/connect.js';
import { contentSet, rule, withBody } from './fixtures.js';
import { cleanup, liveHashes } from './helpers.js';

let cluster: Cluster;
let prefix: string;
const created: string[] = [];

beforeAll(async () => {
  cluster = await connectTestCluster();
});
afterAll(async () => {
  for (const p of created) await cleanup(cluster, p);
  await cluster.close();
});
beforeEach(() => {
  prefix = uniqueName('rb');
  created.push(prefix);
});

describe('rollback', () => {
  it('restores the previous version: changed bodies back, added resources deleted, removed ones recreated', async () => {
    const v1 = contentSet(prefix);
    await deploy(cluster, v1, { deployment: prefix });
    const v1Hashes = await liveHashes(cluster, prefix);
    const v2 = [
      ...withBody(v1, `${prefix}-router`, {
        processors: [{ set: { field: 'event.kind', value: 'alert' } }],
      }).filter((r) => r.id !== `${prefix}-key-created`),
      { kind: 'pipeline' as const, id: `${prefix}-gcp`, body: { processors: [] } },
      rule(prefix, 'role-created', 'CreateRole'),
    ];
    await deploy(cluster, v2, { deployment: prefix, prune: true });
    expect(await liveHashes(cluster, prefix)).not.toEqual(v1Hashes);

    const result = await rollback(cluster, { deployment: prefix });

    expect(result.version).toBe(3);
    expect(result.plan.counts).toMatchObject({ create: 1, update: 1, delete: 2 });
    expect(await liveHashes(cluster, prefix)).toEqual(v1Hashes);
    expect(await cluster.getPipeline(`${prefix}-gcp`)).toBeUndefined();
    const history = await deployHistory(cluster, { deployment: prefix });
    expect(history.map((h) => [h.version, h.action, h.rolled_back_to])).toEqual([
      [3, 'rollback', 1],
      [2, 'deploy', undefined],
      [1, 'deploy', undefined],
    ]);
    expect(history[0]).toMatchObject({ changes: { create: 1, update: 1, delete: 2 }, resourceCount: 7 });
  });

  it('rolls forward to a named version, and a rollback to the current content writes nothing', async () => {
    const v1 = contentSet(prefix);
    await deploy(cluster, v1, { deployment: prefix });
    const v2 = withBody(v1, `${prefix}-aws`, {
      processors: [{ set: { field: 'cloud.provider', value: 'x' } }],
    });
    await deploy(cluster, v2, { deployment: prefix });
    const v2Hashes = await liveHashes(cluster, prefix);
    await rollback(cluster, { deployment: prefix });

    await rollback(cluster, { deployment: prefix, to: 2 });
    expect(await liveHashes(cluster, prefix)).toEqual(v2Hashes);

    cluster.resetStats();
    const again = await rollback(cluster, { deployment: prefix, to: 2 });
    expect(again.version).toBeUndefined();
    expect(cluster.stats.writes).toBe(0);
  });

  it('explains when there is nothing to roll back to', async () => {
    await expect(rollback(cluster, { deployment: prefix })).rejects.toThrow(
      `deployment '${prefix}' has never been deployed to ${cluster.info.url}`,
    );
    await deploy(cluster, contentSet(prefix), { deployment: prefix });
    await expect(rollback(cluster, { deployment: prefix })).rejects.toThrow(
      `deployment '${prefix}' has no version before 1`,
    );
    await expect(rollback(cluster, { deployment: prefix, to: 7 })).rejects.toThrow(
      `deployment '${prefix}' is at version 1; there is no version 7`,
    );
  });
});
