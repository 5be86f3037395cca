import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/cluster/index.js';
import { contentHash, deploy, deployHistory, plan } from '../../src/deploy/index.js';
import { connectTestCluster, uniqueName } from '../setup/connect.js';
import { cleanup, liveHashes } from './helpers.js';
import { contentSet, rule, withBody } from './fixtures.js';

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
  prefix = uniqueName('dep');
  created.push(prefix);
  cluster.resetStats();
});

describe('deploy', () => {
  it('creates every resource on first deploy, stamped with its content hash, in dependency order', async () => {
    const resources = contentSet(prefix);
    const result = await deploy(cluster, resources, { deployment: prefix });
    const writes = [...cluster.stats.writeLog];

    expect(result.version).toBe(1);
    const lock = `/firedrill-deployments/_doc/lock%3A${prefix}`;
    expect(writes.filter((w) => !w.startsWith('PUT /firedrill-deployments '))).toEqual([
      `PUT ${lock}`,
      `PUT /_component_template/${prefix}-ecs`,
      `PUT /_index_template/${prefix}-logs`,
      `PUT /_ingest/pipeline/${prefix}-router`,
      `PUT /_ingest/pipeline/${prefix}-aws`,
      `PUT /${prefix}-rules`,
      `PUT /${prefix}-rules/_doc/${prefix}-user-created`,
      `PUT /${prefix}-rules/_doc/${prefix}-key-created`,
      `POST /${prefix}-rules/_refresh`,
      `PUT /firedrill-deployments/_doc/deployment%3A${prefix}%3A1`,
      `DELETE ${lock}`,
    ]);
    expect(result.plan.counts).toMatchObject({ create: 7, update: 0, delete: 0 });
    const hashes = await liveHashes(cluster, prefix);
    for (const r of resources)
      expect(hashes[`${r.kind}:${r.id}`], `${r.kind} ${r.id}`).toBe(contentHash(r.body));
    const rule = await cluster.getDoc<Record<string, unknown>>(`${prefix}-rules`, `${prefix}-user-created`);
    expect(rule?._source).toMatchObject({
      name: 'user-created',
      firedrill_managed: { managed_by: 'firedrill', firedrill_deployment: prefix },
    });
    const pipeline = await cluster.getPipeline<{ description: string }>(`${prefix}-router`);
    expect(pipeline?.description).toMatch(/^routes raw records \[managed_by=firedrill deployment=/);
  });

  it('makes zero writes when the content is unchanged', async () => {
    const resources = contentSet(prefix);
    await deploy(cluster, resources, { deployment: prefix });
    cluster.resetStats();

    const again = await deploy(cluster, resources, { deployment: prefix });

    expect(again.version).toBeUndefined();
    expect(again.plan.counts).toMatchObject({ create: 0, update: 0, delete: 0, unchanged: 7 });
    expect(cluster.stats.writeLog).toEqual([]);
    expect(cluster.stats.writes).toBe(0);
  });

  it('updates exactly the one pipeline that changed, with a field-level diff', async () => {
    const resources = contentSet(prefix);
    await deploy(cluster, resources, { deployment: prefix });
    const changed = withBody(resources, `${prefix}-aws`, {
      processors: [{ set: { field: 'cloud.provider', value: 'amazon' } }],
    });
    cluster.resetStats();

    const result = await deploy(cluster, changed, { deployment: prefix });

    const updates = result.plan.entries.filter((e) => e.action !== 'unchanged');
    expect(updates.map((e) => [e.action, e.id])).toEqual([['update', `${prefix}-aws`]]);
    expect(updates[0]?.changes).toEqual([
      { type: 'CHANGE', path: ['processors', 0, 'set', 'value'], oldValue: 'aws', value: 'amazon' },
    ]);
    expect(cluster.stats.writeLog.filter((w) => !w.includes('firedrill-deployments'))).toEqual([
      `PUT /_ingest/pipeline/${prefix}-aws`,
    ]);
    expect(result.version).toBe(2);
  });

  it('updates exactly the one rule that changed', async () => {
    const resources = contentSet(prefix);
    await deploy(cluster, resources, { deployment: prefix });
    const changed = resources.map((r) =>
      r.id === `${prefix}-key-created` ? rule(prefix, 'key-created', 'CreateLoginProfile') : r,
    );
    cluster.resetStats();

    await deploy(cluster, changed, { deployment: prefix });

    expect(cluster.stats.writeLog.filter((w) => !w.includes('firedrill-deployments'))).toEqual([
      `PUT /${prefix}-rules/_doc/${prefix}-key-created`,
      `POST /${prefix}-rules/_refresh`,
    ]);
    const doc = await cluster.getDoc<{ query: unknown }>(`${prefix}-rules`, `${prefix}-key-created`);
    expect(doc?._source.query).toEqual({ term: { 'event.action': 'CreateLoginProfile' } });
  });

  it('prunes only resources this deployment manages', async () => {
    await cluster.putPipeline(`${prefix}-handmade`, { processors: [{ set: { field: 'a', value: 1 } }] });
    await cluster.putIndexTemplate(`${prefix}-handmade`, { index_patterns: [`${prefix}-handmade-*`] });
    const other = `${prefix}-other`;
    created.push(other);
    await deploy(cluster, [rule(other, 'x', 'CreateUser')], { deployment: other });
    const resources = contentSet(prefix);
    await deploy(cluster, resources, { deployment: prefix });
    const fewer = resources.filter((r) => r.id !== `${prefix}-aws` && r.id !== `${prefix}-key-created`);

    const kept = await deploy(cluster, fewer, { deployment: prefix });
    expect(kept.plan.counts.delete).toBe(0);
    expect(kept.plan.orphans.map((o) => o.id)).toEqual([`${prefix}-aws`, `${prefix}-key-created`]);
    expect(await cluster.getPipeline(`${prefix}-aws`)).toBeDefined();

    const pruned = await deploy(cluster, fewer, { deployment: prefix, prune: true });
    expect(pruned.plan.entries.filter((e) => e.action === 'delete').map((e) => e.id)).toEqual([
      `${prefix}-key-created`,
      `${prefix}-aws`,
    ]);
    expect(await cluster.getPipeline(`${prefix}-aws`)).toBeUndefined();
    expect(await cluster.getDoc(`${prefix}-rules`, `${prefix}-key-created`)).toBeUndefined();
    expect(await cluster.getPipeline(`${prefix}-handmade`)).toBeDefined();
    expect(await cluster.getIndexTemplate(`${prefix}-handmade`)).toBeDefined();
    expect(await cluster.getDoc(`${other}-rules`, `${other}-x`)).toBeDefined();
    expect(await cluster.getPipeline(`${prefix}-router`)).toBeDefined();
  });

  it('never prunes an index that holds documents', async () => {
    const resources = contentSet(prefix);
    const data = { kind: 'index' as const, id: `${prefix}-data`, body: { mappings: { properties: {} } } };
    await deploy(cluster, [...resources, data], { deployment: prefix });
    await cluster.putDoc(data.id, 'one', { a: 1 }, { refresh: true });

    const result = await deploy(cluster, resources, { deployment: prefix, prune: true });

    expect(result.plan.kept.map((k) => [k.entry.id, k.reason])).toEqual([
      [data.id, 'holds 1 document(s); delete it yourself if intended'],
    ]);
    expect(await cluster.indexExists(data.id)).toBe(true);
  });

  it('does not delete an index that received documents after the plan', async () => {
    const resources = contentSet(prefix);
    const data = { kind: 'index' as const, id: `${prefix}-data`, body: { mappings: { properties: {} } } };
    await deploy(cluster, [...resources, data], { deployment: prefix });
    const fewer = resources.filter((r) => r.id !== `${prefix}-aws`);

    await expect(
      deploy(cluster, fewer, {
        deployment: prefix,
        prune: true,
        onPlan: async () => void (await cluster.putDoc(data.id, 'late', { a: 1 }, { refresh: true })),
      }),
    ).rejects.toThrow(
      `deploy failed at index '${data.id}': index ${data.id} now holds 1 document(s); not deleting it; restored the 1 resource(s) it had changed`,
    );
    expect(await cluster.count(data.id)).toBe(1);
    expect(await cluster.getPipeline(`${prefix}-aws`)).toBeDefined();
  });

  it('takes over a same-named resource firedrill did not create, and refuses one another deployment owns', async () => {
    await cluster.putPipeline(`${prefix}-aws`, { processors: [] });
    const resources = contentSet(prefix);

    const first = await plan(cluster, resources, { deployment: prefix });
    expect(first.entries.find((e) => e.id === `${prefix}-aws`)).toMatchObject({
      action: 'update',
      adopt: true,
    });
    await deploy(cluster, resources, { deployment: prefix });

    await expect(plan(cluster, resources, { deployment: `${prefix}-b` })).rejects.toThrow(
      `component template '${prefix}-ecs' is managed by deployment '${prefix}', not '${prefix}-b'`,
    );
  });

  it('leaves the previous version intact when the cluster rejects a resource midway', async () => {
    const resources = contentSet(prefix);
    await deploy(cluster, resources, { deployment: prefix });
    const before = await liveHashes(cluster, prefix);
    const broken = [
      ...withBody(resources, `${prefix}-router`, {
        processors: [{ set: { field: 'event.kind', value: 'alert' } }],
      }),
      { kind: 'pipeline' as const, id: `${prefix}-bad`, body: { processors: [{ no_such_processor: {} }] } },
      { kind: 'index' as const, id: `${prefix}-new`, body: {} },
      rule(prefix, 'new-rule', 'CreateRole'),
    ];

    await expect(deploy(cluster, broken, { deployment: prefix })).rejects.toThrow(
      new RegExp(
        `^deploy failed at pipeline '${prefix}-bad': put pipeline ${prefix}-bad failed \\(400\\): .*no_such_processor.*; restored the 1 resource\\(s\\) it had changed$`,
      ),
    );

    expect(await liveHashes(cluster, prefix)).toEqual(before);
    expect(await cluster.indexExists(`${prefix}-new`)).toBe(false);
    expect(await cluster.getDoc(`${prefix}-rules`, `${prefix}-new-rule`)).toBeUndefined();
    expect((await deployHistory(cluster, { deployment: prefix })).map((v) => v.version)).toEqual([1]);
    // The lock was released: the next deploy goes through.
    expect((await deploy(cluster, resources.slice(0, 3), { deployment: prefix })).plan.hasChanges).toBe(
      false,
    );
  });

  it('puts back what prune had deleted when a later deletion is refused', async () => {
    const resources = contentSet(prefix);
    await deploy(cluster, resources, { deployment: prefix });
    const before = await liveHashes(cluster, prefix);
    // Not firedrill's: an index template that still uses our component template.
    await cluster.putIndexTemplate(`${prefix}-handmade`, {
      index_patterns: [`${prefix}-handmade-*`],
      composed_of: [`${prefix}-ecs`],
    });
    const fewer = resources.filter(
      (r) => ![`${prefix}-aws`, `${prefix}-ecs`, `${prefix}-logs`].includes(r.id),
    );

    await expect(deploy(cluster, fewer, { deployment: prefix, prune: true })).rejects.toThrow(
      new RegExp(
        `^deploy failed at component template '${prefix}-ecs': .*; restored the 2 resource\\(s\\) it had changed$`,
      ),
    );
    expect(await liveHashes(cluster, prefix)).toEqual(before);
  });
});
