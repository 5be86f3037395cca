import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readRecords, splitRecords, type RawRecord } from './read.js';

const a = { eventID: 'a', eventTime: '2024-01-15T10:00:00Z' };
const b = { eventID: 'b', eventTime: '2024-01-15T10:01:00Z' };

function split(text: string): Pick<RawRecord, 'text' | 'line' | 'index'>[] {
  return [...splitRecords(text, 'f')].map(({ text, line, index }) => ({ text, line, index }));
}

async function collect(path: string): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for await (const r of readRecords(path)) out.push(r);
  return out;
}

describe('splitRecords', () => {
  it('reads a single pretty-printed record as one', () => {
    expect(split(JSON.stringify(a, null, 2))).toEqual([{ text: JSON.stringify(a), line: 1, index: 1 }]);
  });

  it('expands CloudTrail Records, Azure records and JSON arrays', () => {
    for (const text of [
      JSON.stringify({ Records: [a, b] }),
      JSON.stringify({ records: [a, b] }),
      JSON.stringify([a, b]),
    ]) {
      expect(split(text).map((r) => JSON.parse(r.text))).toEqual([a, b]);
    }
  });

  it('reads JSON lines with their line numbers and keeps a malformed line as raw text', () => {
    const text = `${JSON.stringify(a)}\n\n{"eventID": "broken"\n${JSON.stringify({ Records: [b] })}\n`;
    expect(split(text)).toEqual([
      { text: JSON.stringify(a), line: 1, index: 1 },
      { text: '{"eventID": "broken"', line: 3, index: 2 },
      { text: JSON.stringify(b), line: 4, index: 3 },
    ]);
  });

  it('keeps a file that is not JSON at all as one raw record, and an empty file as none', () => {
    expect(split('not json\nat all')).toEqual([{ text: 'not json\nat all', line: 1, index: 1 }]);
    expect(split('  \n')).toEqual([]);
  });

  it('parses each record once and hands the value on', () => {
    expect([...splitRecords(JSON.stringify([a]), 'f')][0]?.value).toEqual(a);
    expect([...splitRecords('{oops\n{"x":1}', 'f')][0]?.value).toBeUndefined();
  });
});

describe('readRecords', () => {
  it('gunzips by magic bytes whatever the name, and walks folders in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-read-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', '1.json'), gzipSync(JSON.stringify({ Records: [a] })));
    writeFileSync(join(dir, 'sub', '2.jsonl.gz'), gzipSync(`${JSON.stringify(b)}\n`));
    const records = await collect(dir);
    expect(records.map((r) => [r.file, JSON.parse(r.text).eventID])).toEqual([
      [join(dir, 'sub', '1.json'), 'a'],
      [join(dir, 'sub', '2.jsonl.gz'), 'b'],
    ]);
  });

  it('names a missing path in one line', async () => {
    await expect(collect('/nonexistent/cloudtrail.json')).rejects.toThrow(
      '/nonexistent/cloudtrail.json: no such file or folder',
    );
  });
});
