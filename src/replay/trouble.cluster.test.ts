import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../cluster/index.js';
import { layoutOf } from '../layout/index.js';
import { firedrill } from '../../test/setup/cli.js';
import { connectTestCluster, uniqueName } from '../../test/setup/connect.js';
import { installPipelines } from '../../test/setup/install-pipelines.js';
import { cleanup, expandInputs, replay } from './replay.js';

// Hostile files and a cluster that refuses writes, end to end: files on disk, the CLI, the real pipelines.
const layout = layoutOf();
let cluster: Cluster;
const markers: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'fd-trouble-'));

beforeAll(async () => {
  cluster = await connectTestCluster();
  await installPipelines(cluster);
  // The CLI keeps its checkpoints here, not in the working tree.
  process.env.FIREDRILL_STATE_DIR = join(dir, 'state');
});
afterEach(async () => {
  for (const m of markers.splice(0)) await cleanup(cluster, m);
});
afterAll(async () => cluster?.close());

let seq = 0;
/** A CloudTrail event with its own ids; `extra` fields go in as they are. */
function event(extra: Record<string, unknown> = {}): Record<string, unknown> {
  seq++;
  return {
    eventVersion: '1.09',
    eventTime: `2024-01-15T10:${String(seq % 60).padStart(2, '0')}:00Z`,
    eventSource: 'iam.amazonaws.com',
    eventName: 'ListUsers',
    eventID: uniqueName(`trouble-${seq}`),
    userIdentity: { type: 'IAMUser', userName: 'alice', accountId: '111122223333' },
    recipientAccountId: '111122223333',
    ...extra,
  };
}

const line = (value: unknown) => JSON.stringify(value);

function write(folder: string, name: string, content: string | Buffer): void {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, name), content);
}

async function deadLettersOf(marker: string) {
  await cluster.refresh(layout.eventIndices);
  const res = await cluster.search<{
    event?: { original?: string };
    error?: { message?: string };
    firedrill: { dead_letter?: Record<string, unknown> };
  }>(layout.deadLetterIndex, { size: 100, query: { term: { 'firedrill.marker': marker } } });
  return res.hits.hits.map((h) => h._source);
}

describe('replaying hostile files', () => {
  it('reads BOMs, UTF-16, CRLF, empty files and delivery files without records; dead-letters what cannot be read, losing nothing', async () => {
    const folder = join(dir, 'hostile');
    const invalid = Buffer.concat([
      Buffer.from('{"eventName":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    // Above 2^53 (JavaScript rounds it to ...800) yet a Java long: the engines keep it exactly.
    const big = '1234567890123456789';
    write(folder, '01-bom.json', `\ufeff${line({ Records: [event(), event()] })}`);
    const utf16 = `${line(event())}\r\n${line(event({ userAgent: 'Zoë 🦊' }))}\r\n`;
    write(folder, '02-utf16.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(utf16, 'utf16le')]));
    write(folder, '03-crlf.jsonl', `${line(event())}\r\n${line(event())}\r\n`);
    write(folder, '04-invalid-utf8.jsonl', Buffer.concat([invalid, Buffer.from(`\n${line(event())}\n`)]));
    write(folder, '05-deep.json', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}\n${line(event())}\n`);
    // Big numbers stay as written: one indexed (its request parameters' text), one dead-lettered (its original).
    write(
      folder,
      '06-big.jsonl',
      [
        `${line(event()).slice(0, -1)},"requestParameters":{"n":${big}}}`,
        `{"eventVersion":"1.09","eventSource":"iam.amazonaws.com","accountNumber":${big}}`,
      ].join('\n'),
    );
    write(folder, '07-empty.json', '');
    write(folder, '08-null.json', '{"Records": null}');
    write(folder, '09-none.json', '[]');
    const lines = Array.from({ length: 3000 }, () => line(event({ padding: Math.random() })));
    const gz = gzipSync(lines.join('\n'));
    write(folder, '10-truncated.json.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    write(folder, '11-after.jsonl', line(event()));

    const marker = uniqueName('hostile');
    markers.push(marker);
    const result = await replay(cluster, expandInputs([folder]), {
      marker,
      shiftTo: Date.parse('2026-01-01T00:00:00Z'),
    });
    expect(result.read).toBe(result.indexed + result.duplicates + result.deadLettered);
    const dead = await deadLettersOf(marker);
    const byMarker = { term: { 'firedrill.marker': marker } };
    expect(await cluster.count(layout.eventIndices, byMarker)).toBe(result.indexed + result.deadLettered);
    expect(dead).toHaveLength(result.deadLettered);
    // 2 BOM + 2 UTF-16 + 2 CRLF + 1 after invalid UTF-8 + 1 after deep + 1 big + the readable part of the gzip + 1 after
    const fromGzip = result.indexed - 10;
    expect(fromGzip).toBeGreaterThan(100);
    expect(fromGzip).toBeLessThan(3000);
    expect(result.deadLettered).toBe(4);
    const reasons = result.malformed.map((m) => `${m.file.split('/').pop()}:${m.line}: ${m.reason}`);
    expect(reasons).toEqual([
      '04-invalid-utf8.jsonl:1: not valid UTF-8',
      '05-deep.json:1: nested deeper than 100 levels',
      '06-big.jsonl:2: eventTime is missing',
      expect.stringMatching(
        /^10-truncated\.json\.gz:\d+: not a complete gzip file \(unexpected end of file\): nothing after byte \d+ of the file could be read/,
      ),
    ]);
    const byReason = (text: string) => dead.find((d) => d.error?.message?.startsWith(text))!;
    expect(byReason('not valid UTF-8').firedrill.dead_letter).toMatchObject({
      stage: 'read',
      original_base64: invalid.toString('base64'),
    });
    expect(byReason('eventTime is missing').event?.original).toContain(`"accountNumber":${big}`);
    const exact = { term: { 'aws.cloudtrail.request_parameters': `{n=${big}}` } };
    expect(await cluster.count(layout.eventIndices, { bool: { filter: [byMarker, exact] } })).toBe(1);
  });

  it('prints and reconciles a run with more than 10,000 dead letters', async () => {
    const file = join(dir, 'garbage.log');
    writeFileSync(
      file,
      `${Array.from({ length: 10_050 }, (_, i) => `not json ${i}`).join('\n')}\n${line(event())}\n`,
    );
    const marker = uniqueName('garbage');
    markers.push(marker);
    const out = await firedrill('replay', file, '--marker', marker);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout.split('\n')[0]).toBe(`marker ${marker}`);
    expect(out.stdout.match(/^ {2}dead-lettered /gm)).toHaveLength(50);
    expect(out.stdout).toContain(
      '  … and 10000 more dead letter(s); all by cause: pipeline/parse-message 10050',
    );
    expect(out.stdout).toContain('read 10051 / indexed 1 / duplicates 0 / dead-lettered 10050');
    expect(await cluster.count(layout.deadLetterIndex, { term: { 'firedrill.marker': marker } })).toBe(
      10_050,
    );
  });
});

describe('firedrill replay when the cluster refuses writes', () => {
  it('stops with one line naming the resume command, and --resume completes it exactly', async () => {
    const index = 'logs-aws.cloudtrail-default';
    const file = join(dir, 'blocked.jsonl');
    writeFileSync(file, Array.from({ length: 1200 }, () => line(event())).join('\n'));
    const marker = uniqueName('blocked');
    markers.push(marker);
    // The first batch goes in; then the index is blocked, as an operator (or a full disk) would.
    const first = await replay(cluster, expandInputs([join(dir, 'hostile', '11-after.jsonl')]), {
      marker: `${marker}-w`,
    });
    markers.push(first.marker);
    await cluster.request({
      method: 'PUT',
      path: `/${index}/_settings`,
      body: { 'index.blocks.write': true },
    });
    let stopped;
    try {
      stopped = await firedrill('replay', file, '--marker', marker, '--batch-size', '500');
    } finally {
      await cluster.request({
        method: 'PUT',
        path: `/${index}/_settings`,
        body: { 'index.blocks.write': null },
      });
    }
    expect(stopped.code).toBe(3);
    expect(stopped.stdout).toBe(`marker ${marker}\n`);
    const lines = stopped.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^firedrill: error: the cluster refused writes \\(cluster_block_exception: .*\\): stopped after 0 record\\(s\\) \\(indexed 0 / duplicates 0 / dead-lettered 0\\); nothing was lost: resume with 'firedrill replay --resume ${marker} --target http://localhost:\\d+'$`,
      ),
    );

    const resumed = await firedrill('replay', '--resume', marker);
    expect(resumed.stderr).toBe('');
    expect(resumed.stdout).toContain(`marker ${marker} (resumed at record 1)`);
    expect(resumed.stdout).toContain('read 1200 / indexed 1200 / duplicates 0 / dead-lettered 0');
    await cluster.refresh(layout.eventIndices);
    expect(await cluster.count(index, { term: { 'firedrill.marker': marker } })).toBe(1200);
    const again = await firedrill('replay', '--resume', marker);
    expect(again.code).toBe(64);
    expect(again.stderr).toMatch(/no stopped replay with marker '.*' to resume/);
  });
});
