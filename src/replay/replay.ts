import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Cluster } from '../cluster/index.js';
import { FiredrillError, UsageError } from '../errors.js';
import {
  ingestRecords,
  IngestStopped,
  maxRequestBytes,
  readRecords,
  type IngestFailure,
  type IngestOptions,
  type IngestPosition,
  type RawRecord,
} from '../ingest/index.js';
import { layoutOf, type Layout } from '../layout/index.js';
import { recogniseRecord, SOURCE_IDS, sourceById, type LogSource } from '../sources/index.js';
import { eventTimeOf, offsetToLand, shiftRecord } from './shift.js';

/** What to replay: cloud audit log files (or folders of them), or records already in memory. */
export type ReplayInput = { file: string } | { records: Record<string, unknown>[]; name: string };

export interface ReplayOptions {
  /** The deployment to replay into (default `default`). */
  deployment?: string;
  /** A log source id: every record is of it; `auto` (the default) lets the router recognise each. */
  source?: string;
  /** Move every timestamp by one offset so the latest event lands here (epoch ms). */
  shiftTo?: number;
  /** Shift by whole weeks instead, to at or just before `shiftTo`: weekdays and hours keep their meaning. */
  shiftByWeeks?: boolean;
  /** Move every timestamp by exactly this much instead (for replaying a set of inputs in parts). */
  offsetMs?: number;
  /**
   * Tags every replayed event and the alerts it causes; generated when absent. Replayed copies are
   * distinct per marker, so the same file replayed again is indexed again, not counted as duplicates.
   */
  marker?: string;
  onProgress?: (done: number, total: number) => void;
  /** Called once the marker and the offset are fixed, before anything is sent (and on a resume). */
  onStart?: (checkpoint: ReplayCheckpoint) => void;
  /** Called after each batch with what a stopped run would go on from (the CLI keeps it in a file). */
  onCheckpoint?: (checkpoint: ReplayCheckpoint) => void;
  /** Go on with a stopped replay of the same inputs: its last checkpoint (ReplayStopped.checkpoint). */
  resume?: ReplayCheckpoint;
  /** Batch sizes, retries and timeouts for the bulk requests. */
  ingest?: Pick<IngestOptions, 'batchSize' | 'batchBytes' | 'retry' | 'requestTimeoutMs' | 'maxFailures'>;
}

/** Everything a replay needs to go on after a stop: its marker, offset and position. */
export interface ReplayCheckpoint {
  marker: string;
  offsetMs: number;
  earliest?: number;
  latest?: number;
  /** Records in the inputs. */
  total: number;
  position: IngestPosition;
}

/** A replay the cluster stopped: nothing lost, and `checkpoint` resumes it (`replay(..., { resume })`). */
export class ReplayStopped extends FiredrillError {
  constructor(
    readonly checkpoint: ReplayCheckpoint,
    cause: IngestStopped,
  ) {
    super(cause.message, { cause, exitCode: cause.exitCode });
    this.name = 'ReplayStopped';
  }
}

/** A line that could not be replayed: where it was and why. */
export interface MalformedLine {
  file: string;
  line: number;
  reason: string;
}

/** Every record read is indexed, a duplicate, or dead-lettered: `read = indexed + duplicates + deadLettered`. */
export interface IngestCounts {
  read: number;
  indexed: number;
  duplicates: number;
  deadLettered: number;
  malformed: MalformedLine[];
}

export interface ReplayResult extends IngestCounts {
  marker: string;
  /**
   * Dead letters by cause (`stage/processor tag or error code`), when there are more than `malformed`
   * names; read from the dead-letter index, so it covers every dead letter of the marker.
   */
  causes?: { cause: string; count: number }[];
  /** How far timestamps moved (ms); 0 without `shiftTo`. */
  offsetMs: number;
  /** Event times after the shift: the span the engine should look at. */
  earliest?: number;
  latest?: number;
}

/** A fresh run marker: sortable by time, unique enough to never collide. */
export function newMarker(prefix = 'replay'): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${prefix}-${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Expands folders into the log files inside them (sorted), keeping explicit files as given. */
export function expandInputs(paths: string[]): ReplayInput[] {
  const files: string[] = [];
  const visit = (path: string, explicit: boolean): void => {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) throw new UsageError(`${path}: no such file or folder`);
    if (st.isDirectory()) for (const entry of readdirSync(path).sort()) visit(join(path, entry), false);
    else if (explicit || /\.(json|jsonl|ndjson|log|gz)$/.test(path)) files.push(resolve(path));
  };
  for (const p of paths) visit(p, true);
  return files.map((file) => ({ file }));
}

/** The earliest and latest event time across the inputs (a first pass; unreadable records are skipped). */
export async function timeSpan(
  inputs: ReplayInput[],
  source?: LogSource,
  maxRecordBytes?: number,
): Promise<{ earliest?: number; latest?: number; total: number }> {
  let earliest: number | undefined;
  let latest: number | undefined;
  let total = 0;
  for await (const raw of recordsOf(inputs, maxRecordBytes)) {
    total++;
    const record = objectOf(raw.value !== undefined ? raw.value : parse(raw.text));
    if (!record) continue;
    const t = eventTimeOf(record, source ?? recogniseRecord(record));
    if (t === undefined) continue;
    earliest = earliest === undefined ? t : Math.min(earliest, t);
    latest = latest === undefined ? t : Math.max(latest, t);
  }
  return { earliest, latest, total };
}

/** The log source a `--source` value names; undefined for `auto`. */
export function sourceOption(id: string | undefined): LogSource | undefined {
  if (id === undefined || id === 'auto') return undefined;
  const source = sourceById(id);
  if (!source)
    throw new FiredrillError(`unknown log source '${id}': use ${[...SOURCE_IDS, 'auto'].join(', ')}`);
  return source;
}

/**
 * Ingests cloud log records through the deployed pipelines, tagged with a run marker, optionally
 * shifted in time by one offset so the latest lands at `shiftTo` (order and gaps kept).
 */
export async function replay(
  cluster: Cluster,
  inputs: ReplayInput[],
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const layout = layoutOf(options.deployment);
  const source = sourceOption(options.source);
  const maxRecordBytes = await maxRequestBytes(cluster);
  const start = options.resume ?? (await plan(inputs, source, options, maxRecordBytes));
  options.onStart?.(start);
  const { marker, offsetMs } = start;
  const checkpoint = (position: IngestPosition): ReplayCheckpoint => ({ ...start, position });
  let result;
  try {
    result = await ingestRecords(cluster, recordsOf(inputs, maxRecordBytes), {
      ...options.ingest,
      deployment: options.deployment,
      source,
      marker,
      resume: options.resume?.position,
      transform: offsetMs ? (record) => shiftAny(record, offsetMs, source) : undefined,
      onProgress: (summary, position) => {
        options.onProgress?.(summary.read, start.total);
        options.onCheckpoint?.(checkpoint(position));
      },
    });
  } catch (error) {
    if (error instanceof IngestStopped) throw new ReplayStopped(checkpoint(error.position), error);
    throw error;
  }
  // What the replay wrote is searchable when it reports, so a backfill started next sees all of it.
  await cluster.refresh(layout.eventIndices);
  const malformed = await explainFailures(cluster, layout, result.failures);
  return {
    marker,
    offsetMs,
    read: result.read,
    indexed: result.indexed,
    duplicates: result.duplicates,
    deadLettered: result.deadLettered,
    malformed,
    ...(result.deadLettered > malformed.length
      ? { causes: await deadLetterCauses(cluster, layout, marker) }
      : {}),
    earliest: start.earliest,
    latest: start.latest,
  };
}

/** A fresh replay's marker and offset: a first pass finds the time span to shift by. */
async function plan(
  inputs: ReplayInput[],
  source: LogSource | undefined,
  options: ReplayOptions,
  maxRecordBytes: number,
): Promise<ReplayCheckpoint> {
  const span = await timeSpan(inputs, source, maxRecordBytes);
  const offsetMs =
    options.offsetMs ??
    (options.shiftTo === undefined || span.latest === undefined
      ? 0
      : offsetToLand([span.latest], options.shiftTo, options.shiftByWeeks ? 'week' : 'second'));
  const empty = { read: 0, indexed: 0, duplicates: 0, deadLettered: 0, failures: [], retries: 0 };
  return {
    marker: options.marker ?? newMarker(),
    offsetMs,
    earliest: span.earliest === undefined ? undefined : span.earliest + offsetMs,
    latest: span.latest === undefined ? undefined : span.latest + offsetMs,
    total: span.total,
    position: { done: 0, alsoDone: [], unsure: [], summary: empty },
  };
}

/** What `cleanup` removed. */
export interface CleanupResult {
  events: number;
  alerts: number;
}

/** Deletes the marker's replayed events, dead letters and alerts — documents without that marker are never touched. */
export async function cleanup(cluster: Cluster, marker: string, deployment?: string): Promise<CleanupResult> {
  if (!marker.trim()) throw new FiredrillError('cleanup needs a non-empty --marker');
  const layout = layoutOf(deployment);
  const byMarker = { term: { 'firedrill.marker': marker } };
  const events = await cluster.deleteByQuery(layout.eventIndices, byMarker);
  const alerts = await cluster.deleteByQuery(layout.alertsIndex, byMarker);
  return { events, alerts };
}

/** Every record of the inputs, in order: file records as read, in-memory records as JSON text. */
export async function* recordsOf(inputs: ReplayInput[], maxRecordBytes?: number): AsyncGenerator<RawRecord> {
  for (const input of inputs) {
    if ('file' in input) yield* readRecords(input.file, { maxRecordBytes });
    else
      for (const [i, value] of input.records.entries())
        yield { file: input.name, line: i + 1, index: i + 1, value, text: JSON.stringify(value) };
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function objectOf(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function shiftAny(record: unknown, offsetMs: number, source: LogSource | undefined): unknown {
  const json = objectOf(record);
  return json ? shiftRecord(json, offsetMs, source ?? recogniseRecord(json)) : record;
}

/** Ids per mget: well below any result window or request limit. */
const EXPLAIN_PAGE = 500;

/** The pipeline's own reason for each dead letter listed (its `error.message`), so the summary says why, not just where. */
async function explainFailures(
  cluster: Cluster,
  layout: Layout,
  failures: IngestFailure[],
): Promise<MalformedLine[]> {
  const ids = failures.map((f) => f.id).filter((id): id is string => !!id);
  const reasons = new Map<string, string>();
  for (let i = 0; i < ids.length; i += EXPLAIN_PAGE) {
    const docs = await cluster.getDocs<{ error?: { message?: string } }>(
      layout.deadLetterIndex,
      ids.slice(i, i + EXPLAIN_PAGE),
    );
    for (const doc of docs) if (doc._source.error?.message) reasons.set(doc._id, doc._source.error.message);
  }
  return failures.map((f) => {
    const reason = (f.id && reasons.get(f.id)) || f.reason;
    return { file: f.file, line: f.line, reason: reason.split('\n')[0]!.trim() };
  });
}

/** How many of the marker's dead letters each cause has: an aggregation, so no hit limit applies. */
async function deadLetterCauses(
  cluster: Cluster,
  layout: Layout,
  marker: string,
): Promise<{ cause: string; count: number }[]> {
  interface Bucket {
    key: { stage: string | null; tag: string | null; code: string | null };
    doc_count: number;
  }
  const res = await cluster.search<unknown, { causes: { buckets: Bucket[] } }>(layout.deadLetterIndex, {
    size: 0,
    query: { term: { 'firedrill.marker': marker } },
    aggs: {
      causes: {
        composite: {
          size: 100,
          sources: [
            { stage: { terms: { field: 'firedrill.dead_letter.stage', missing_bucket: true } } },
            { tag: { terms: { field: 'firedrill.dead_letter.processor.tag', missing_bucket: true } } },
            { code: { terms: { field: 'error.code', missing_bucket: true } } },
          ],
        },
      },
    },
  });
  return (res.aggregations?.causes.buckets ?? [])
    .map(({ key, doc_count }) => ({
      cause: [key.stage ?? 'unknown', key.tag ?? key.code].filter(Boolean).join('/'),
      count: doc_count,
    }))
    .sort((a, b) => b.count - a.count);
}
