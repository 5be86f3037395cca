import { createHash } from 'node:crypto';
import { TextDecoder } from 'node:util';
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip, type Gunzip } from 'node:zlib';
import { FiredrillError } from '../errors.js';
import { EXCERPT_BYTES, MAX_DEPTH, RecordSplitter, type Piece } from './split.js';

/** One raw cloud log record as text, and where it came from. */
export interface RawRecord {
  /** Its text as read (whitespace outside strings dropped), sent on as it is; big numbers stay exact. */
  text: string;
  /** The parsed record, when the text is JSON (for recognition and time spans; never sent). */
  value?: unknown;
  file: string;
  /** 1-based line the record starts on. */
  line: number;
  /** 1-based position of the record within its file. */
  index?: number;
  /** Byte offset of the record in its file's (decompressed, UTF-8) text. */
  offset?: number;
  /** Set when the record cannot be sent as text: ingest dead-letters it as read, with this reason. */
  unreadable?: Unreadable;
}

/** A record that cannot be sent through the pipeline, and what its dead letter keeps of it. */
export interface Unreadable {
  reason: string;
  /** Its full size in bytes and sha256 (hex), so a truncated copy can be matched to the original. */
  size: number;
  sha256: string;
  /** `text` (or `base64`) holds only the record's start. */
  truncated: boolean;
  /** The raw bytes when they are no valid UTF-8: kept exactly, never repaired. */
  base64?: string;
}

export interface ReadOptions {
  /**
   * Records larger than this are not held in memory: only their start, size and hash are kept, and
   * ingest dead-letters them (default 100 MB, the engines' default `http.max_content_length`).
   */
  maxRecordBytes?: number;
}

/** The engines' default `http.max_content_length`: no record above it can be sent to a default cluster. */
export const DEFAULT_MAX_RECORD_BYTES = 100 * 1024 * 1024;

/** A dead letter keeps an unreadable record whole up to this size, else only its first EXCERPT_BYTES. */
const KEEP_WHOLE_BYTES = 1024 * 1024;
const GZIP_MAGIC = [0x1f, 0x8b];
const CHUNK_BYTES = 1024 * 1024;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Every record in a file, or in every file under a folder (sorted), streamed: memory stays bounded
 * whatever the file's size. Accepts a single record, a CloudTrail delivery file `{"Records":[...]}`, an
 * Azure `{"records":[...]}` file, a JSON array (gcloud export) and JSON lines, each optionally gzipped
 * (by magic bytes, whatever the name), in UTF-8 (with or without a BOM) or UTF-16 with a BOM, LF or CRLF.
 * A line that is not JSON is still yielded as text, so the pipeline dead-letters it instead of it
 * vanishing here; what cannot be text at all (invalid UTF-8, too deep, too large, the unreadable rest
 * of a truncated gzip) is yielded with `unreadable` set.
 */
export async function* readRecords(path: string, options: ReadOptions = {}): AsyncGenerator<RawRecord> {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) throw new FiredrillError(`${path}: no such file or folder`);
  if (stat.isDirectory()) {
    for (const entry of readdirSync(path).sort()) {
      if (!entry.startsWith('.')) yield* readRecords(join(path, entry), options);
    }
    return;
  }
  const limit = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const splitter = new RecordSplitter(limit);
  let index = 0;
  const source = openFile(path);
  try {
    for await (const chunk of utf8(source.chunks)) {
      for (const piece of splitter.push(chunk)) yield toRecord(piece, path, ++index, limit);
    }
    for (const piece of splitter.end()) yield toRecord(piece, path, ++index, limit);
  } catch (error) {
    // The rest of the file cannot be read: what came before is kept, the rest is one dead letter.
    const partial = splitter.abandon();
    const at = source.consumed();
    const problem = (error as Error).message;
    const bytes = partial?.bytes ?? Buffer.alloc(0);
    yield {
      file: path,
      line: partial?.line ?? splitter.position.line,
      index: index + 1,
      offset: partial?.offset ?? splitter.position.offset,
      ...unreadableOf(
        bytes,
        `${problem}: nothing after byte ${at} of the file could be read${partial ? ' (this record was cut off there)' : ''}`,
        partial?.size ?? 0,
        partial?.oversized?.sha256,
      ),
    };
  }
}

/** Splits a whole text or buffer into records; for tests and in-memory input. */
export function* splitRecords(
  content: string | Buffer,
  file: string,
  options: ReadOptions = {},
): Generator<RawRecord> {
  const limit = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const splitter = new RecordSplitter(limit);
  let index = 0;
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  for (const piece of [...splitter.push(bytes), ...splitter.end()])
    yield toRecord(piece, file, ++index, limit);
}

class ReadProblem extends Error {}

/** The file's bytes, gunzipped when they start with the gzip magic; `consumed` counts the file bytes read. */
function openFile(file: string): { chunks: AsyncIterable<Buffer>; consumed: () => number } {
  const stream = createReadStream(file, { highWaterMark: CHUNK_BYTES });
  let gunzip: Gunzip | undefined;
  async function* chunks(): AsyncGenerator<Buffer> {
    const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const first = await iterator.next();
    if (first.done) return;
    const head = first.value;
    const rest: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => iterator };
    if (head[0] !== GZIP_MAGIC[0] || head[1] !== GZIP_MAGIC[1]) {
      yield head;
      yield* rest;
      return;
    }
    gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
    const unzip = gunzip;
    const feed = (async () => {
      try {
        if (!unzip.write(head)) await drained(unzip);
        for await (const chunk of rest) {
          if (unzip.destroyed) return;
          if (!unzip.write(chunk)) await drained(unzip);
        }
        unzip.end();
      } catch (error) {
        unzip.destroy(error as Error);
      }
    })();
    try {
      for await (const chunk of unzip) yield chunk as Buffer;
    } catch (error) {
      throw new ReadProblem(`not a complete gzip file (${(error as Error).message})`);
    } finally {
      unzip.destroy();
      stream.destroy();
      await feed;
    }
  }
  return {
    chunks: chunks(),
    consumed: () => (gunzip ? gunzip.bytesWritten : stream.bytesRead),
  };
}

/** Resolves when the stream wants more, or will never again. */
function drained(stream: Gunzip): Promise<void> {
  return new Promise((resolve) => {
    stream.once('drain', resolve);
    stream.once('close', resolve);
  });
}

/** UTF-8 bytes whatever the file's encoding: a UTF-8 BOM is dropped, UTF-16 (by its BOM) is converted. */
async function* utf8(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let head = Buffer.alloc(0);
  let decoder: TextDecoder | undefined;
  let started = false;
  for await (const chunk of chunks) {
    let bytes = chunk;
    if (!started) {
      head = Buffer.concat([head, chunk]);
      if (head.length < 3) continue;
      started = true;
      bytes = head;
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
      else if (bytes[0] === 0xff && bytes[1] === 0xfe) decoder = utf16('utf-16le');
      else if (bytes[0] === 0xfe && bytes[1] === 0xff) decoder = utf16('utf-16be');
    }
    yield decoder ? transcode(decoder, bytes, true) : bytes;
  }
  if (!started && head.length) yield head;
  if (decoder) yield transcode(decoder, Buffer.alloc(0), false);
}

function utf16(encoding: 'utf-16le' | 'utf-16be'): TextDecoder {
  // Drops the BOM itself (ignoreBOM: false) and refuses unpaired surrogates instead of replacing them.
  return new TextDecoder(encoding, { fatal: true });
}

function transcode(decoder: TextDecoder, bytes: Buffer, stream: boolean): Buffer {
  try {
    return Buffer.from(decoder.decode(bytes, { stream }), 'utf8');
  } catch {
    throw new ReadProblem(`not valid ${decoder.encoding.toUpperCase()}`);
  }
}

function toRecord(piece: Piece, file: string, index: number, limit: number): RawRecord {
  const where = { file, line: piece.line, index, offset: piece.offset };
  if (piece.oversized)
    return {
      ...where,
      ...unreadableOf(
        piece.bytes,
        `a record of ${formatBytes(piece.size)} is larger than the ${formatBytes(limit)} one request may carry`,
        piece.size,
        piece.oversized.sha256,
      ),
    };
  let text: string;
  try {
    text = UTF8.decode(piece.bytes);
  } catch {
    return { ...where, ...unreadableOf(piece.bytes, 'not valid UTF-8', piece.size) };
  }
  if (piece.tooDeep)
    return { ...where, ...unreadableOf(piece.bytes, `nested deeper than ${MAX_DEPTH} levels`, piece.size) };
  if (piece.broken) return { ...where, text };
  try {
    const value: unknown = JSON.parse(text);
    return { ...where, text: piece.spaced ? compact(text) : text, value };
  } catch {
    return { ...where, text };
  }
}

/**
 * What a dead letter keeps of a record that cannot be sent as text: all of it when it is valid UTF-8 and
 * small enough, else its start (as text, or base64 when it is no valid UTF-8), always with size and hash.
 */
function unreadableOf(
  bytes: Buffer,
  reason: string,
  size: number,
  sha256 = createHash('sha256').update(bytes).digest('hex'),
): Pick<RawRecord, 'text' | 'unreadable'> {
  const truncated = bytes.length < size || size > KEEP_WHOLE_BYTES;
  const kept = truncated ? utf8Prefix(bytes.subarray(0, EXCERPT_BYTES)) : bytes;
  let text: string | undefined;
  try {
    text = UTF8.decode(kept);
  } catch {
    text = undefined;
  }
  return {
    text: text ?? '',
    unreadable: {
      reason,
      size,
      sha256,
      truncated,
      ...(text === undefined ? { base64: kept.toString('base64') } : {}),
    },
  };
}

/** Cuts before a character split at the end, so an excerpt is valid UTF-8 if the record is. */
function utf8Prefix(bytes: Buffer): Buffer {
  let end = bytes.length;
  let back = 0;
  while (end - back > 0 && back < 4 && (bytes[end - back - 1]! & 0xc0) === 0x80) back++;
  const lead = bytes[end - back - 1];
  if (lead !== undefined && lead >= 0xc0) end = end - back - 1;
  return bytes.subarray(0, end);
}

/** The JSON text without whitespace outside strings: the same value, every token as written. */
export function compact(text: string): string {
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 32 || c === 10 || c === 13 || c === 9) {
      out += text.slice(from, i);
      from = i + 1;
    }
  }
  return out + text.slice(from);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
