import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAlerts } from '../../alerts/index.js';
import type { Cluster } from '../../cluster/index.js';
import { compileAll } from '../index.js';
import { compileRules } from './index.js';
import { readConfig } from '../../content/config.js';
import { readDetections, readExamples, type ExampleCase } from '../../content/rules.js';
import { deploy } from '../../deploy/index.js';
import { fieldValues } from '../../engine/fields.js';
import { runOnce } from '../../engine/index.js';
import { ingestRecords } from '../../ingest/index.js';
import { connectTestCluster, uniqueName } from '../../../test/setup/connect.js';

/**
 * Every rule with examples, end to end on a real cluster: the full content is deployed, each case's raw
 * records go through the pipelines under their own marker, the engine evaluates that one rule over the
 * case's time range, and positives must alert (with their `expect:`) while negatives must not.
 */
const { config } = readConfig('firedrill.config.yaml');
const rules = new Map(compileRules(readDetections('detections'), config).map((r) => [r.id, r]));
const examples = readExamples('detections').values;
const run = uniqueName('examples');

let cluster: Cluster;
beforeAll(async () => {
  cluster = await connectTestCluster();
  await deploy(cluster, compileAll({ config }));
});
afterAll(async () => {
  await cluster?.deleteByQuery(['logs-*', 'firedrill-alerts'], { prefix: { 'firedrill.marker': run } });
  await cluster?.close();
});

/** Provider event ids made unique to one case: ids are create-only, and other cases and tests ingest the same records. */
function uniqueIds(suffix: string): (record: unknown) => unknown {
  return (record) => {
    const r = structuredClone(record) as Record<string, unknown> & { properties?: Record<string, unknown> };
    for (const key of ['eventID', 'insertId', 'id', 'correlationId'])
      if (typeof r[key] === 'string') r[key] = `${r[key]}-${suffix}`;
    if (r.properties && typeof r.properties.id === 'string') r.properties.id = `${r.properties.id}-${suffix}`;
    return r;
  };
}

async function ingest(records: Record<string, unknown>[], marker: string, ruleId: string): Promise<void> {
  const raw = records.map((value, i) => ({ text: JSON.stringify(value), value, file: ruleId, line: i + 1 }));
  const summary = await ingestRecords(cluster, raw, { marker, transform: uniqueIds(marker), refresh: true });
  expect(summary.failures, 'dead letters').toEqual([]);
  expect(summary.indexed).toBe(records.length);
}

/** Ingests history then events under one marker; returns the marker and the events' @timestamp range. */
async function ingestCase(ruleId: string, name: string, c: ExampleCase) {
  const marker = `${run}-${ruleId}-${name}`;
  const byMarker = { term: { 'firedrill.marker': marker } };
  if (c.history?.length) await ingest(c.history, marker, ruleId);
  const history = await cluster.search('logs-*', { size: 1000, _source: false, query: byMarker });
  await ingest(c.events, marker, ruleId);
  const range = await cluster.search<unknown, { first: { value: number }; last: { value: number } }>(
    'logs-*',
    {
      size: 0,
      query: {
        bool: { filter: [byMarker], must_not: [{ ids: { values: history.hits.hits.map((h) => h._id) } }] },
      },
      aggs: { first: { min: { field: '@timestamp' } }, last: { max: { field: '@timestamp' } } },
    },
  );
  const { first, last } = range.aggregations!;
  return { marker, from: new Date(first.value), to: new Date(last.value + 1) };
}

async function alertsFor(ruleId: string, name: string, c: ExampleCase) {
  const { marker, from, to } = await ingestCase(ruleId, name, c);
  const report = await runOnce(cluster, { rules: ruleId, marker, from, to });
  expect(report.rules.map((r) => r.error ?? 'ok')).toEqual(['ok']);
  return readAlerts(cluster, { rule: ruleId, marker });
}

describe.each(examples.map((e) => [e.ruleId, e] as const))('%s', (ruleId, cases) => {
  it('is a deployed rule', () => expect(rules.has(ruleId)).toBe(true));

  it.each(cases.positive.map((c, i) => [c.name, c, i] as const))('alerts: %s', async (_name, c, i) => {
    const alerts = await alertsFor(ruleId, `p${i}`, c);
    if (c.expect?.alerts) expect(alerts).toHaveLength(c.expect.alerts);
    else expect(alerts.length).toBeGreaterThan(0);
    for (const [field, value] of Object.entries(c.expect?.fields ?? {})) {
      const actual = alerts.flatMap((alert) => fieldValues(alert, field));
      for (const expected of [value].flat()) expect(actual, field).toContainEqual(expected);
    }
  });

  it.each(cases.negative.map((c, i) => [c.name, c, i] as const))(
    'does not alert: %s',
    async (_name, c, i) => {
      const alerts = await alertsFor(ruleId, `n${i}`, c);
      expect(alerts.map((a) => a.firedrill.alert.group)).toEqual([]);
    },
  );
});

describe('replaying the same records twice', () => {
  it('alerts once: duplicate deliveries are rejected at ingest and re-evaluation writes nothing new', async () => {
    const ruleId = 'an1608-aws-user-created-then-credential';
    const positive = examples.find((e) => e.ruleId === ruleId)!.positive[0]!;
    const { marker, from, to } = await ingestCase(ruleId, 'replay', positive);
    await runOnce(cluster, { rules: ruleId, marker, from, to });
    const raw = positive.events.map((value, i) => ({
      text: JSON.stringify(value),
      value,
      file: ruleId,
      line: i + 1,
    }));
    const again = await ingestRecords(cluster, raw, { marker, transform: uniqueIds(marker), refresh: true });
    expect(again).toMatchObject({ indexed: 0, duplicates: positive.events.length });
    const rerun = await runOnce(cluster, { rules: ruleId, marker, from, to });
    expect(rerun.alerts).toBe(0);
    expect(await readAlerts(cluster, { rule: ruleId, marker })).toHaveLength(1);
  });
});
