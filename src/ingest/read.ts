import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FiredrillError } from '../errors.js';

/** One raw cloud log record as text, and where it came from. */
export interface RawRecord {
  text: string;
  /** The parsed record, when the text is JSON. */
  value?: unknown;
  file: string;
  /** 1-based line the record starts on (1 for every record of a single-document file). */
  line: number;
  /** 1-based position of the record within its file. */
  index?: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Every record in a file, or in every file under a folder (sorted). Accepts a single record, a CloudTrail
 * delivery file `{"Records":[...]}`, an Azure `{"records":[...]}` file, a JSON array (gcloud export) and
 * JSON lines, each optionally gzipped (by magic bytes, whatever the name). A line that is not JSON is still
 * yielded as text, so the pipeline dead-letters it instead of it vanishing here.
 */
export async function* readRecords(path: string): AsyncIterable<RawRecord> {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) throw new FiredrillError(`${path}: no such file or folder`);
  if (stat.isDirectory()) {
    for (const entry of readdirSync(path).sort()) {
      if (!entry.startsWith('.')) yield* readRecords(join(path, entry));
    }
    return;
  }
  yield* splitRecords(await readText(path), path);
}

async function readText(file: string): Promise<string> {
  const bytes = await readFile(file);
  const gzipped = bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
  try {
    return (gzipped ? gunzipSync(bytes) : bytes).toString('utf8');
  } catch (error) {
    throw new FiredrillError(`${file}: not a readable gzip file (${(error as Error).message})`, {
      cause: error,
    });
  }
}

/** Splits a file's text into records; exported for tests. */
export function* splitRecords(text: string, file: string): Generator<RawRecord> {
  const whole = tryParse(text);
  if (whole.ok) {
    let index = 0;
    for (const value of expand(whole.value))
      yield { text: JSON.stringify(value), value, file, line: 1, index: ++index };
    return;
  }
  const lines = text.split(/\r?\n/);
  const parsed = lines.map((line) => (line.trim() ? tryParse(line) : undefined));
  if (!parsed.some((p) => p?.ok)) {
    if (text.trim()) yield { text, file, line: 1, index: 1 };
    return;
  }
  let index = 0;
  for (const [i, line] of lines.entries()) {
    const p = parsed[i];
    if (!p) continue;
    if (!p.ok) yield { text: line, file, line: i + 1, index: ++index };
    else
      for (const value of expand(p.value))
        yield { text: JSON.stringify(value), value, file, line: i + 1, index: ++index };
  }
}

/** A delivery file or array becomes its members; anything else is one record. */
function expand(value: unknown): unknown[] {
  const members = Array.isArray(value)
    ? value
    : isObject(value) && Array.isArray(value.Records)
      ? value.Records
      : isObject(value) && Array.isArray(value.records)
        ? value.records
        : undefined;
  return members ?? [value];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
