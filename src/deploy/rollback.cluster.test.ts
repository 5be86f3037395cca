import { describe, expect, it } from 'vitest';
import { deploy, deployHistory, rollback } from './index.js';
import { contentSet, rule, withBody } from './fixtures/content.js';
import { deployTestContext, liveHashes } from './fixtures/helpers.js';

const ctx = deployTestContext('rb');

describe('rollback', () => {
  it('restores the previous version: changed bodies back, added resources deleted, removed ones recreated', async () => {
    const v1 = contentSet(ctx.prefix);
    await deploy(ctx.cluster, v1, { deployment: ctx.prefix });
    const v1Hashes = await liveHashes(ctx.cluster, ctx.prefix);
    const v2 = [
      ...withBody(v1, `${ctx.prefix}-router`, {
        processors: [{ set: { field: 'event.kind', value: 'alert' } }],
      }).filter((r) => r.id !== `${ctx.prefix}-key-created`),
      { kind: 'pipeline' as const, id: `${ctx.prefix}-gcp`, body: { processors: [] } },
      rule(ctx.prefix, 'role-created', 'CreateRole'),
    ];
    await deploy(ctx.cluster, v2, { deployment: ctx.prefix, prune: true });
    expect(await liveHashes(ctx.cluster, ctx.prefix)).not.toEqual(v1Hashes);

    const result = await rollback(ctx.cluster, { deployment: ctx.prefix });

    expect(result.version).toBe(3);
    expect(result.plan.counts).toMatchObject({ create: 1, update: 1, delete: 2 });
    expect(await liveHashes(ctx.cluster, ctx.prefix)).toEqual(v1Hashes);
    expect(await ctx.cluster.getPipeline(`${ctx.prefix}-gcp`)).toBeUndefined();
    const history = await deployHistory(ctx.cluster, { deployment: ctx.prefix });
    expect(history.map((h) => [h.version, h.action, h.rolled_back_to])).toEqual([
      [3, 'rollback', 1],
      [2, 'deploy', undefined],
      [1, 'deploy', undefined],
    ]);
    expect(history[0]).toMatchObject({ changes: { create: 1, update: 1, delete: 2 }, resourceCount: 7 });
  });

  it('rolls forward to a named version, and a rollback to the current content writes nothing', async () => {
    const v1 = contentSet(ctx.prefix);
    await deploy(ctx.cluster, v1, { deployment: ctx.prefix });
    const v2 = withBody(v1, `${ctx.prefix}-aws`, {
      processors: [{ set: { field: 'cloud.provider', value: 'x' } }],
    });
    await deploy(ctx.cluster, v2, { deployment: ctx.prefix });
    const v2Hashes = await liveHashes(ctx.cluster, ctx.prefix);
    await rollback(ctx.cluster, { deployment: ctx.prefix });

    await rollback(ctx.cluster, { deployment: ctx.prefix, to: 2 });
    expect(await liveHashes(ctx.cluster, ctx.prefix)).toEqual(v2Hashes);

    ctx.cluster.resetStats();
    const again = await rollback(ctx.cluster, { deployment: ctx.prefix, to: 2 });
    expect(again.version).toBeUndefined();
    expect(ctx.cluster.stats.writes).toBe(0);
  });

  it('explains when there is nothing to roll back to', async () => {
    await expect(rollback(ctx.cluster, { deployment: ctx.prefix })).rejects.toThrow(
      `deployment '${ctx.prefix}' has never been deployed to ${ctx.cluster.info.url}`,
    );
    await deploy(ctx.cluster, contentSet(ctx.prefix), { deployment: ctx.prefix });
    await expect(rollback(ctx.cluster, { deployment: ctx.prefix })).rejects.toThrow(
      `deployment '${ctx.prefix}' has no version before 1`,
    );
    await expect(rollback(ctx.cluster, { deployment: ctx.prefix, to: 7 })).rejects.toThrow(
      `deployment '${ctx.prefix}' is at version 1; there is no version 7`,
    );
  });
});
