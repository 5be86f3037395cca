import { describe, expect, it } from 'vitest';
import { contentHash, deploy, deployHistory, plan } from './index.js';
import { deployTestContext, liveHashes } from './fixtures/helpers.js';
import { contentSet, rule, withBody } from './fixtures/content.js';

const ctx = deployTestContext('dep');

describe('deploy', () => {
  it('creates every resource on first deploy, stamped with its content hash, in dependency order', async () => {
    const resources = contentSet(ctx.prefix);
    const result = await deploy(ctx.cluster, resources, { deployment: ctx.prefix });
    const writes = [...ctx.cluster.stats.writeLog];

    expect(result.version).toBe(1);
    const lock = `/firedrill-deployments/_doc/lock%3A${ctx.prefix}`;
    // The history index is created by whichever deploy comes first on the cluster.
    expect(writes.filter((w) => w !== 'PUT /firedrill-deployments')).toEqual([
      `PUT ${lock}`,
      `PUT /_component_template/${ctx.prefix}-ecs`,
      `PUT /_index_template/${ctx.prefix}-logs`,
      `PUT /_ingest/pipeline/${ctx.prefix}-router`,
      `PUT /_ingest/pipeline/${ctx.prefix}-aws`,
      `PUT /${ctx.prefix}-rules`,
      `PUT /${ctx.prefix}-rules/_doc/${ctx.prefix}-user-created`,
      `PUT /${ctx.prefix}-rules/_doc/${ctx.prefix}-key-created`,
      `POST /${ctx.prefix}-rules/_refresh`,
      `PUT /firedrill-deployments/_doc/deployment%3A${ctx.prefix}%3A1`,
      `DELETE ${lock}`,
    ]);
    expect(result.plan.counts).toMatchObject({ create: 7, update: 0, delete: 0 });
    const hashes = await liveHashes(ctx.cluster, ctx.prefix);
    for (const r of resources)
      expect(hashes[`${r.kind}:${r.id}`], `${r.kind} ${r.id}`).toBe(contentHash(r.body));
    const rule = await ctx.cluster.getDoc<Record<string, unknown>>(
      `${ctx.prefix}-rules`,
      `${ctx.prefix}-user-created`,
    );
    expect(rule?._source).toMatchObject({
      name: 'user-created',
      firedrill_managed: { managed_by: 'firedrill', firedrill_deployment: ctx.prefix },
    });
    const pipeline = await ctx.cluster.getPipeline<{ description: string }>(`${ctx.prefix}-router`);
    expect(pipeline?.description).toMatch(/^routes raw records \[managed_by=firedrill deployment=/);
  });

  it('makes zero writes when the content is unchanged', async () => {
    const resources = contentSet(ctx.prefix);
    await deploy(ctx.cluster, resources, { deployment: ctx.prefix });
    ctx.cluster.resetStats();

    const again = await deploy(ctx.cluster, resources, { deployment: ctx.prefix });

    expect(again.version).toBeUndefined();
    expect(again.plan.counts).toMatchObject({ create: 0, update: 0, delete: 0, unchanged: 7 });
    expect(ctx.cluster.stats.writeLog).toEqual([]);
    expect(ctx.cluster.stats.writes).toBe(0);
  });

  it('updates exactly the one pipeline that changed, with a field-level diff', async () => {
    const resources = contentSet(ctx.prefix);
    await deploy(ctx.cluster, resources, { deployment: ctx.prefix });
    const changed = withBody(resources, `${ctx.prefix}-aws`, {
      processors: [{ set: { field: 'cloud.provider', value: 'amazon' } }],
    });
    ctx.cluster.resetStats();

    const result = await deploy(ctx.cluster, changed, { deployment: ctx.prefix });

    const updates = result.plan.entries.filter((e) => e.action !== 'unchanged');
    expect(updates.map((e) => [e.action, e.id])).toEqual([['update', `${ctx.prefix}-aws`]]);
    expect(updates[0]?.changes).toEqual([
      { type: 'CHANGE', path: ['processors', 0, 'set', 'value'], oldValue: 'aws', value: 'amazon' },
    ]);
    expect(ctx.cluster.stats.writeLog.filter((w) => !w.includes('firedrill-deployments'))).toEqual([
      `PUT /_ingest/pipeline/${ctx.prefix}-aws`,
    ]);
    expect(result.version).toBe(2);
  });

  it('updates exactly the one rule that changed', async () => {
    const resources = contentSet(ctx.prefix);
    await deploy(ctx.cluster, resources, { deployment: ctx.prefix });
    const changed = resources.map((r) =>
      r.id === `${ctx.prefix}-key-created` ? rule(ctx.prefix, 'key-created', 'CreateLoginProfile') : r,
    );
    ctx.cluster.resetStats();

    await deploy(ctx.cluster, changed, { deployment: ctx.prefix });

    expect(ctx.cluster.stats.writeLog.filter((w) => !w.includes('firedrill-deployments'))).toEqual([
      `PUT /${ctx.prefix}-rules/_doc/${ctx.prefix}-key-created`,
      `POST /${ctx.prefix}-rules/_refresh`,
    ]);
    const doc = await ctx.cluster.getDoc<{ query: unknown }>(
      `${ctx.prefix}-rules`,
      `${ctx.prefix}-key-created`,
    );
    expect(doc?._source.query).toEqual({ term: { 'event.action': 'CreateLoginProfile' } });
  });

  it('prunes only resources this deployment manages', async () => {
    await ctx.cluster.putPipeline(`${ctx.prefix}-handmade`, {
      processors: [{ set: { field: 'a', value: 1 } }],
    });
    await ctx.cluster.putIndexTemplate(`${ctx.prefix}-handmade`, {
      index_patterns: [`${ctx.prefix}-handmade-*`],
    });
    const other = `${ctx.prefix}-other`;
    ctx.track(other);
    await deploy(ctx.cluster, [rule(other, 'x', 'CreateUser')], { deployment: other });
    const resources = contentSet(ctx.prefix);
    await deploy(ctx.cluster, resources, { deployment: ctx.prefix });
    const fewer = resources.filter(
      (r) => r.id !== `${ctx.prefix}-aws` && r.id !== `${ctx.prefix}-key-created`,
    );

    const kept = await deploy(ctx.cluster, fewer, { deployment: ctx.prefix });
    expect(kept.plan.counts.delete).toBe(0);
    expect(kept.plan.orphans.map((o) => o.id)).toEqual([`${ctx.prefix}-aws`, `${ctx.prefix}-key-created`]);
    expect(await ctx.cluster.getPipeline(`${ctx.prefix}-aws`)).toBeDefined();

    const pruned = await deploy(ctx.cluster, fewer, { deployment: ctx.prefix, prune: true });
    expect(pruned.plan.entries.filter((e) => e.action === 'delete').map((e) => e.id)).toEqual([
      `${ctx.prefix}-key-created`,
      `${ctx.prefix}-aws`,
    ]);
    expect(await ctx.cluster.getPipeline(`${ctx.prefix}-aws`)).toBeUndefined();
    expect(await ctx.cluster.getDoc(`${ctx.prefix}-rules`, `${ctx.prefix}-key-created`)).toBeUndefined();
    expect(await ctx.cluster.getPipeline(`${ctx.prefix}-handmade`)).toBeDefined();
    expect(await ctx.cluster.getIndexTemplate(`${ctx.prefix}-handmade`)).toBeDefined();
    expect(await ctx.cluster.getDoc(`${other}-rules`, `${other}-x`)).toBeDefined();
    expect(await ctx.cluster.getPipeline(`${ctx.prefix}-router`)).toBeDefined();
  });

  it('never prunes an index that holds documents', async () => {
    const resources = contentSet(ctx.prefix);
    const data = { kind: 'index' as const, id: `${ctx.prefix}-data`, body: { mappings: { properties: {} } } };
    await deploy(ctx.cluster, [...resources, data], { deployment: ctx.prefix });
    await ctx.cluster.putDoc(data.id, 'one', { a: 1 }, { refresh: true });

    const result = await deploy(ctx.cluster, resources, { deployment: ctx.prefix, prune: true });

    expect(result.plan.kept.map((k) => [k.entry.id, k.reason])).toEqual([
      [data.id, 'holds 1 document(s); delete it yourself if intended'],
    ]);
    expect(await ctx.cluster.indexExists(data.id)).toBe(true);
  });

  it('does not delete an index that received documents after the plan', async () => {
    const resources = contentSet(ctx.prefix);
    const data = { kind: 'index' as const, id: `${ctx.prefix}-data`, body: { mappings: { properties: {} } } };
    await deploy(ctx.cluster, [...resources, data], { deployment: ctx.prefix });
    const fewer = resources.filter((r) => r.id !== `${ctx.prefix}-aws`);

    await expect(
      deploy(ctx.cluster, fewer, {
        deployment: ctx.prefix,
        prune: true,
        onPlan: async () => void (await ctx.cluster.putDoc(data.id, 'late', { a: 1 }, { refresh: true })),
      }),
    ).rejects.toThrow(
      `deploy failed at index '${data.id}': index ${data.id} now holds 1 document(s); not deleting it; restored the 1 resource(s) it had changed`,
    );
    expect(await ctx.cluster.count(data.id)).toBe(1);
    expect(await ctx.cluster.getPipeline(`${ctx.prefix}-aws`)).toBeDefined();
  });

  it('takes over a same-named resource firedrill did not create, and refuses one another deployment owns', async () => {
    await ctx.cluster.putPipeline(`${ctx.prefix}-aws`, { processors: [] });
    const resources = contentSet(ctx.prefix);

    const first = await plan(ctx.cluster, resources, { deployment: ctx.prefix });
    expect(first.entries.find((e) => e.id === `${ctx.prefix}-aws`)).toMatchObject({
      action: 'update',
      adopt: true,
    });
    await deploy(ctx.cluster, resources, { deployment: ctx.prefix });

    await expect(plan(ctx.cluster, resources, { deployment: `${ctx.prefix}-b` })).rejects.toThrow(
      `component template '${ctx.prefix}-ecs' is managed by deployment '${ctx.prefix}', not '${ctx.prefix}-b'`,
    );
  });

  it('leaves the previous version intact when the ctx.cluster rejects a resource midway', async () => {
    const resources = contentSet(ctx.prefix);
    await deploy(ctx.cluster, resources, { deployment: ctx.prefix });
    const before = await liveHashes(ctx.cluster, ctx.prefix);
    const broken = [
      ...withBody(resources, `${ctx.prefix}-router`, {
        processors: [{ set: { field: 'event.kind', value: 'alert' } }],
      }),
      {
        kind: 'pipeline' as const,
        id: `${ctx.prefix}-bad`,
        body: { processors: [{ no_such_processor: {} }] },
      },
      { kind: 'index' as const, id: `${ctx.prefix}-new`, body: {} },
      rule(ctx.prefix, 'new-rule', 'CreateRole'),
    ];

    await expect(deploy(ctx.cluster, broken, { deployment: ctx.prefix })).rejects.toThrow(
      new RegExp(
        `^deploy failed at pipeline '${ctx.prefix}-bad': put pipeline ${ctx.prefix}-bad failed \\(400\\): .*no_such_processor.*; restored the 1 resource\\(s\\) it had changed$`,
      ),
    );

    expect(await liveHashes(ctx.cluster, ctx.prefix)).toEqual(before);
    expect(await ctx.cluster.indexExists(`${ctx.prefix}-new`)).toBe(false);
    expect(await ctx.cluster.getDoc(`${ctx.prefix}-rules`, `${ctx.prefix}-new-rule`)).toBeUndefined();
    expect((await deployHistory(ctx.cluster, { deployment: ctx.prefix })).map((v) => v.version)).toEqual([1]);
    // The lock was released: the next deploy goes through.
    expect(
      (await deploy(ctx.cluster, resources.slice(0, 3), { deployment: ctx.prefix })).plan.hasChanges,
    ).toBe(false);
  });

  it('puts back what prune had deleted when a later deletion is refused', async () => {
    const resources = contentSet(ctx.prefix);
    await deploy(ctx.cluster, resources, { deployment: ctx.prefix });
    const before = await liveHashes(ctx.cluster, ctx.prefix);
    // Not firedrill's: an index template that still uses our component template.
    await ctx.cluster.putIndexTemplate(`${ctx.prefix}-handmade`, {
      index_patterns: [`${ctx.prefix}-handmade-*`],
      composed_of: [`${ctx.prefix}-ecs`],
    });
    const fewer = resources.filter(
      (r) => ![`${ctx.prefix}-aws`, `${ctx.prefix}-ecs`, `${ctx.prefix}-logs`].includes(r.id),
    );

    await expect(deploy(ctx.cluster, fewer, { deployment: ctx.prefix, prune: true })).rejects.toThrow(
      new RegExp(
        `^deploy failed at component template '${ctx.prefix}-ecs': .*; restored the 2 resource\\(s\\) it had changed$`,
      ),
    );
    expect(await liveHashes(ctx.cluster, ctx.prefix)).toEqual(before);
  });
});
