import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../../cluster/index.js';
import { compileRules } from './index.js';
import type { CompiledQueryRule, CompiledRule, Dsl } from '../types.js';
import { readConfig } from '../../content/config.js';
import { readDetections, readExamples, type ExampleCase } from '../../content/rules.js';
import { ingestRecords } from '../../ingest/index.js';
import { installPipelines } from '../../../test/setup/install-pipelines.js';
import { connectTestCluster, uniqueName } from '../../../test/setup/connect.js';

/**
 * Every query rule against its examples on a real cluster: raw records go through the deployed
 * pipelines, then the compiled query must find each positive case's events and none of a negative's.
 * For the other types (joined, counted or baselined by the engine) each query and sequence step must
 * at least find events of every positive case.
 */
const { config } = readConfig('firedrill.config.yaml');
const compiled = compileRules(readDetections('detections'), config);
const rules = compiled.filter((r): r is CompiledQueryRule => r.type === 'query');
const examples = new Map(readExamples('detections').values.map((e) => [e.ruleId, e]));
const run = uniqueName('rules');

let cluster: Cluster;
beforeAll(async () => {
  cluster = await connectTestCluster();
  await installPipelines(cluster);
});
afterAll(async () => {
  await cluster?.deleteByQuery('logs-*', { prefix: { 'firedrill.marker': run } });
  await cluster?.close();
});

/** Provider event ids made unique to this run, so create-only indexing accepts a re-run's records. */
function uniqueIds(record: unknown): unknown {
  const r = structuredClone(record) as Record<string, unknown> & { properties?: Record<string, unknown> };
  if (typeof r.eventID === 'string') r.eventID = `${r.eventID}-${run}`;
  if (typeof r.insertId === 'string') r.insertId = `${r.insertId}-${run}`;
  if (r.properties && typeof r.properties.id === 'string') r.properties.id = `${r.properties.id}-${run}`;
  if (typeof r.correlationId === 'string') r.correlationId = `${r.correlationId}-${run}`;
  return r;
}

/** Ingests a case under its own marker; returns the marker. */
async function ingestCase(ruleId: string, kind: string, index: number, c: ExampleCase): Promise<string> {
  const marker = `${run}-${ruleId}-${kind}${index}`;
  const records = [...(c.history ?? []), ...c.events].map((value, i) => ({
    text: JSON.stringify(value),
    value,
    file: `${ruleId}.yaml`,
    line: i + 1,
  }));
  const summary = await ingestRecords(cluster, records, { marker, transform: uniqueIds, refresh: true });
  expect(summary.failures, `${ruleId} ${c.name}: dead letters`).toEqual([]);
  expect(summary.indexed).toBe(records.length);
  return marker;
}

async function matches(
  rule: { index: string[]; query: Dsl },
  marker: string,
): Promise<Record<string, unknown>[]> {
  const res = await cluster.search<Record<string, unknown>>(rule.index, {
    size: 100,
    query: { bool: { filter: [rule.query, { term: { 'firedrill.marker': marker } }] } },
  });
  return res.hits.hits.map((h) => h._source);
}

function valueAt(doc: Record<string, unknown>, field: string): unknown {
  return field
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
}

describe.each(rules.map((r) => [r.id, r] as const))('%s', (id, rule) => {
  const cases = examples.get(id);
  it('has examples', () => expect(cases).toBeDefined());

  it.each((cases?.positive ?? []).map((c, i) => [c.name, c, i] as const))(
    'matches: %s',
    async (_name, c, i) => {
      const hits = await matches(rule, await ingestCase(id, 'p', i, c));
      expect(hits.length).toBeGreaterThan(0);
      for (const [field, value] of Object.entries(c.expect?.fields ?? {}))
        expect(
          hits.map((h) => valueAt(h, field)),
          field,
        ).toContainEqual(value);
    },
  );

  it.each((cases?.negative ?? []).map((c, i) => [c.name, c, i] as const))(
    'does not match: %s',
    async (_name, c, i) => {
      const hits = await matches(rule, await ingestCase(id, 'n', i, c));
      expect(hits.map((h) => `${valueAt(h, 'event.action')} by ${valueAt(h, 'user.name')}`)).toEqual([]);
    },
  );
});

/** The queries a rule runs: its query, or each sequence step's. */
function queriesOf(rule: CompiledRule): { name: string; query: Dsl }[] {
  return rule.type === 'sequence'
    ? rule.steps
    : rule.type === 'query'
      ? []
      : [{ name: 'query', query: rule.query }];
}

describe.each(compiled.filter((r) => r.type !== 'query').map((r) => [r.id, r] as const))('%s', (id, rule) => {
  it.each((examples.get(id)?.positive ?? []).map((c, i) => [c.name, c, i] as const))(
    'each query or step finds events of: %s',
    async (_name, c, i) => {
      const marker = await ingestCase(id, 'p', i, c);
      for (const { name, query } of queriesOf(rule))
        expect((await matches({ index: rule.index, query }, marker)).length, name).toBeGreaterThan(0);
    },
  );
});
