import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../cluster/index.js';
import { deployPack } from '../scenarios/deploy-pack.js';
import { cleanup, expandInputs, replay } from './replay.js';
import { connectTestCluster, uniqueName } from '../../test/setup/connect.js';
import { firedrill } from '../../test/setup/cli.js';

const RAW = 'scenarios/an1608/raw';
let cluster: Cluster;
const markers: string[] = [];

beforeAll(async () => {
  cluster = await connectTestCluster();
  await deployPack(cluster);
});
// Raw files carry fixed event ids: a test's copies must be gone before the next replays them.
afterEach(async () => {
  for (const m of markers.splice(0)) await cleanup(cluster, m);
});
afterAll(async () => {
  await cluster.close();
});

async function replayed(files: string[], options: { shiftTo?: number } = {}) {
  const marker = uniqueName('replay-test');
  markers.push(marker);
  const result = await replay(cluster, expandInputs(files), { marker, ...options });
  await cluster.refresh('logs-*');
  return result;
}

async function docsOf(marker: string) {
  const res = await cluster.search<{ '@timestamp': string; event?: { id?: string; action?: string } }>(
    'logs-*',
    {
      size: 100,
      sort: [{ '@timestamp': 'asc' }],
      query: { term: { 'firedrill.marker': marker } },
    },
  );
  return res.hits.hits.map((h) => ({ index: h._index, ...h._source }));
}

describe('raw-log replay', () => {
  it('indexes out-of-order records by event time and rejects the duplicate delivery', async () => {
    const r = await replayed([`${RAW}/out-of-order-with-duplicate.jsonl`]);
    expect(r).toMatchObject({ read: 4, indexed: 3, duplicates: 1, deadLettered: 0 });
    const docs = await docsOf(r.marker);
    expect(docs.map((d) => d.event?.action)).toEqual(['CreateUser', 'AttachUserPolicy', 'CreateAccessKey']);
  });

  it('reads events split across files, and a gzip delivery file', async () => {
    const split = await replayed([`${RAW}/split-part-1.json`, `${RAW}/split-part-2.json`]);
    expect(split).toMatchObject({ read: 3, indexed: 3 });
    const gz = await replayed([
      `${RAW}/111122223333_CloudTrail_us-east-1_20260110T0105Z_a1b2c3d4e5f6.json.gz`,
    ]);
    expect(gz).toMatchObject({ read: 3, indexed: 3, deadLettered: 0 });
  });

  it('counts, dead-letters and names malformed lines without losing them', async () => {
    const r = await replayed([`${RAW}/with-malformed-lines.jsonl`]);
    expect(r).toMatchObject({ read: 5, indexed: 3, duplicates: 0, deadLettered: 2 });
    expect(r.malformed.map((m) => `${m.file.split('/').pop()}:${m.line}`)).toEqual([
      'with-malformed-lines.jsonl:2',
      'with-malformed-lines.jsonl:4',
    ]);
    expect(r.malformed[1]!.reason).toMatch(/Unrecognized token 'Jan'/);
    const dead = (await docsOf(r.marker)).filter((d) => d.index.includes('deadletter'));
    expect(dead).toHaveLength(2);
  });

  it('--shift-to moves every event by one offset: the latest lands on the target, order and gaps kept', async () => {
    const target = Date.parse('2026-11-20T12:00:00Z');
    const r = await replayed([`${RAW}/split-part-1.json`, `${RAW}/split-part-2.json`], { shiftTo: target });
    const times = (await docsOf(r.marker)).map((d) => Date.parse(d['@timestamp']));
    expect(times[times.length - 1]).toBe(target);
    // The generated originals were at +0s, +6m, +8m.
    expect(times.map((t) => t - times[0]!)).toEqual([0, 360_000, 480_000]);
  });

  it('cleanup removes only the marker’s events, dead letters and alerts', async () => {
    const a = await replayed([`${RAW}/with-malformed-lines.jsonl`]);
    const b = await replayed([`${RAW}/split-part-1.json`]);
    const alert = { 'firedrill.marker': a.marker, rule: { id: 'x' }, '@timestamp': new Date().toISOString() };
    const other = { 'firedrill.marker': b.marker, rule: { id: 'x' }, '@timestamp': new Date().toISOString() };
    await cluster.putDoc('firedrill-alerts', undefined, alert, { refresh: true });
    await cluster.putDoc('firedrill-alerts', undefined, other, { refresh: true });
    const unmarked = uniqueName('unmarked');
    await cluster.putDoc(
      'logs-firedrill.deadletter-default',
      unmarked,
      { '@timestamp': new Date().toISOString(), message: 'keep me' },
      { refresh: true },
    );

    expect(await cleanup(cluster, a.marker)).toEqual({ events: 5, alerts: 1 });
    const byMarker = (m: string) =>
      cluster.count(['logs-*', 'firedrill-alerts'], { term: { 'firedrill.marker': m } });
    expect(await byMarker(a.marker)).toBe(0);
    expect(await byMarker(b.marker)).toBe(2);
    expect(await cluster.getDoc('logs-firedrill.deadletter-default', unmarked)).toBeDefined();
    await cluster.deleteDoc('logs-firedrill.deadletter-default', unmarked, { refresh: true });
  });
});

describe('firedrill replay / cleanup', () => {
  it('--json prints the marker and counts as one document', async () => {
    const marker = uniqueName('cli-replay-json');
    markers.push(marker);
    const out = await firedrill('replay', RAW, '--shift-to', 'now', '--marker', marker, '--json');
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({
      deployment: 'default',
      marker,
      read: 18,
      indexed: 15,
      duplicates: 1,
      deadLettered: 2,
    });
    await firedrill('cleanup', '--marker', marker);
  });

  it('prints the marker, the dead-lettered lines and the counts, and cleanup removes them', async () => {
    const marker = uniqueName('cli-replay');
    markers.push(marker);
    const out = await firedrill('replay', RAW, '--shift-to', 'now', '--marker', marker);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`marker ${marker}`);
    expect(out.stdout).toMatch(/dead-lettered .*with-malformed-lines\.jsonl:2: /);
    expect(out.stdout).toContain('read 18 / indexed 15 / duplicates 1 / dead-lettered 2');
    const clean = await firedrill('cleanup', '--marker', marker);
    expect(clean.stdout).toContain(`removed 17 event(s) and 0 alert(s) with marker ${marker}`);
  });

  it('refuses a bad --shift-to and a missing file with one line and a non-zero exit', async () => {
    const bad = await firedrill('replay', RAW, '--shift-to', 'yesterday');
    expect(bad.code).toBe(64);
    expect(bad.stderr.trim()).toBe(
      "firedrill: error: --shift-to: 'yesterday' is not 'now', an ISO 8601 time like 2026-01-05T10:00:00Z or a duration ago like 2h",
    );
    const dir = mkdtempSync(join(tmpdir(), 'fd-'));
    writeFileSync(join(dir, 'x.json'), '{}');
    const missing = await firedrill('replay', join(dir, 'nope.json'));
    expect(missing.code).toBe(64);
    expect(missing.stderr.trim()).toBe(`firedrill: error: ${join(dir, 'nope.json')}: no such file or folder`);
  });
});
