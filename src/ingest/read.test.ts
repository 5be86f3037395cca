import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compact, readRecords, splitRecords, type RawRecord } from './read.js';

const a = { eventID: 'a', eventTime: '2024-01-15T10:00:00Z' };
const b = { eventID: 'b', eventTime: '2024-01-15T10:01:00Z' };

function split(content: string | Buffer): Pick<RawRecord, 'text' | 'line' | 'index'>[] {
  return [...splitRecords(content, 'f')].map(({ text, line, index }) => ({ text, line, index }));
}

async function collect(path: string, maxRecordBytes?: number): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for await (const r of readRecords(path, { maxRecordBytes })) out.push(r);
  return out;
}

function tempFile(name: string, content: string | Buffer): string {
  const file = join(mkdtempSync(join(tmpdir(), 'fd-read-')), name);
  writeFileSync(file, content);
  return file;
}

describe('splitRecords', () => {
  it('reads a single pretty-printed record as one, compacted', () => {
    expect(split(JSON.stringify(a, null, 2))).toEqual([{ text: JSON.stringify(a), line: 1, index: 1 }]);
  });

  it('expands CloudTrail Records, Azure records and JSON arrays, each member on its own line', () => {
    for (const text of [
      JSON.stringify({ Records: [a, b] }),
      JSON.stringify({ records: [a, b] }),
      JSON.stringify([a, b]),
      JSON.stringify({ Other: 1, Records: [a, b], After: [1] }),
    ]) {
      expect(split(text).map((r) => JSON.parse(r.text))).toEqual([a, b]);
    }
    expect(split(JSON.stringify({ Records: [a, b] }, null, 2)).map((r) => r.line)).toEqual([3, 7]);
  });

  it('reads JSON lines with their line numbers and keeps a malformed line as raw text', () => {
    const text = `${JSON.stringify(a)}\n\n{"eventID": "broken"\n${JSON.stringify({ Records: [b] })}\n`;
    expect(split(text)).toEqual([
      { text: JSON.stringify(a), line: 1, index: 1 },
      { text: '{"eventID": "broken"', line: 3, index: 2 },
      { text: JSON.stringify(b), line: 4, index: 3 },
    ]);
  });

  it('ends a string cut off by a line break with its line, and reads CRLF lines', () => {
    expect(split(`{"eventID": "cut off\r\n${JSON.stringify(a)}\r\n`)).toEqual([
      { text: '{"eventID": "cut off', line: 1, index: 1 },
      { text: JSON.stringify(a), line: 2, index: 2 },
    ]);
  });

  it('keeps every line that is not JSON as its own raw record', () => {
    expect(split('not json\nat all')).toEqual([
      { text: 'not json', line: 1, index: 1 },
      { text: 'at all', line: 2, index: 2 },
    ]);
  });

  it('finds no records in an empty file, an empty array or a delivery file without records', () => {
    for (const text of ['', '  \n', '[]', '{"Records": []}', '{"Records": null}', '{"records":null}\n'])
      expect(split(text)).toEqual([]);
  });

  it('sends numbers as written: big integers and 5.0 stay exact', () => {
    const text = '{"accountId": 123456789012345678901234, "ratio": 5.0, "s": "a \\" b"}';
    expect(split(text)[0]!.text).toBe('{"accountId":123456789012345678901234,"ratio":5.0,"s":"a \\" b"}');
  });

  it('parses each record once and hands the value on', () => {
    expect([...splitRecords(JSON.stringify([a]), 'f')][0]?.value).toEqual(a);
    expect([...splitRecords('{oops\n{"x":1}', 'f')][0]?.value).toBeUndefined();
  });

  it('refuses a record nested too deep, with a reason, and goes on', () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const records = [...splitRecords(`${deep}\n${JSON.stringify(a)}\n`, 'f')];
    expect(records[0]).toMatchObject({ line: 1, unreadable: { reason: 'nested deeper than 100 levels' } });
    expect(records[0]!.unreadable!.truncated).toBe(false);
    expect(records[1]).toMatchObject({ line: 2, value: a });
  });

  it('keeps a record with invalid UTF-8 byte for byte, as base64, and reads the next', () => {
    const bad = Buffer.concat([Buffer.from('{"userName":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const records = [...splitRecords(Buffer.concat([bad, Buffer.from(`\n${JSON.stringify(a)}`)]), 'f')];
    expect(records[0]!.unreadable).toEqual({
      reason: 'not valid UTF-8',
      size: bad.length,
      sha256: createHash('sha256').update(bad).digest('hex'),
      truncated: false,
      base64: bad.toString('base64'),
    });
    expect(records[1]!.value).toEqual(a);
  });

  it('keeps only the start, size and hash of a record above the size limit', () => {
    const big = JSON.stringify({ ...a, padding: 'x'.repeat(20_000) });
    const records = [...splitRecords(`${big}\n${JSON.stringify(b)}`, 'f', { maxRecordBytes: 10_000 })];
    expect(records[0]!.unreadable).toMatchObject({
      reason: 'a record of 20 KB is larger than the 9.8 KB one request may carry',
      size: big.length,
      sha256: createHash('sha256').update(big).digest('hex'),
      truncated: true,
    });
    expect(records[0]!.text).toBe(big.slice(0, 4096));
    expect(records[1]!.value).toEqual(b);
  });
});

describe('compact', () => {
  it('drops whitespace outside strings only', () => {
    expect(compact('{ "a b" : [ 1 ,\r\n 2 ], "c": "x\\"  y" }')).toBe('{"a b":[1,2],"c":"x\\"  y"}');
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

  it('drops a UTF-8 byte order mark and reads UTF-16 by its mark', async () => {
    const text = `${JSON.stringify(a)}\r\n${JSON.stringify({ ...b, name: 'Zoë 🦊' })}\r\n`;
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le.toString('hex').replace(/(..)(..)/g, '$2$1'), 'hex');
    for (const content of [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), le, be]) {
      const records = await collect(tempFile('x.json', content));
      expect(records.map((r) => r.value)).toEqual([a, { ...b, name: 'Zoë 🦊' }]);
    }
  });

  it('reads what a truncated gzip holds, and makes the rest one dead letter naming the offset', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) =>
      JSON.stringify({ ...a, eventID: `e${i}`, n: Math.random() }),
    );
    const whole = gzipSync(lines.join('\n'));
    const file = tempFile('cut.json.gz', whole.subarray(0, Math.floor(whole.length * 0.6)));
    const records = await collect(file);
    const last = records.at(-1)!;
    expect(records.length).toBeGreaterThan(100);
    expect(records.slice(0, -1).every((r) => r.value !== undefined)).toBe(true);
    expect(last.unreadable!.reason).toMatch(
      /^not a complete gzip file \(unexpected end of file\): nothing after byte \d+ of the file could be read/,
    );
    expect(last.index).toBe(records.length);
  });

  it('streams a file larger than the record limit: records stay small, memory bounded', async () => {
    const line = JSON.stringify({ ...a, padding: 'p'.repeat(1000) });
    const file = tempFile('big.jsonl', `${line}\n`.repeat(20_000));
    let count = 0;
    for await (const r of readRecords(file, { maxRecordBytes: 64 * 1024 })) if (r.value) count++;
    expect(count).toBe(20_000);
  });

  it('names a missing path in one line', async () => {
    await expect(collect('/nonexistent/cloudtrail.json')).rejects.toThrow(
      '/nonexistent/cloudtrail.json: no such file or folder',
    );
  });
});
