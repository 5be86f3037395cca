import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { LosslessNumber, parse as parseLossless, stringify as stringifyLossless } from 'lossless-json';
import { NoAnswer, type BulkItemResult, type Cluster } from '../cluster/index.js';
import { describeError, EXIT, FiredrillError } from '../errors.js';
import { layoutOf, type Layout } from '../layout/index.js';
import type { LogSource } from '../sources/index.js';
import { DEFAULT_MAX_RECORD_BYTES, formatBytes, type RawRecord, type Unreadable } from './read.js';
import { EXCERPT_BYTES } from './split.js';
import {
  backoffMs,
  DEFAULT_RETRY,
  itemVerdict,
  mayHaveBeenDone,
  requestVerdict,
  type RetryPolicy,
} from './retry.js';

export interface IngestOptions {
  /** The deployment whose router pipeline and indices are used (default `default`). */
  deployment?: string;
  /** Skip recognition: every record is of this source. */
  source?: LogSource;
  /** Kept on every document as `firedrill.marker`, so a replay can be found and removed. */
  marker?: string;
  /**
   * Rewrites each JSON record before it is sent (e.g. time shifting). It gets the record parsed without
   * loss (numbers JavaScript cannot hold exactly stay LosslessNumber objects, written back as they were);
   * records that are not JSON are sent unchanged.
   */
  transform?: (record: unknown) => unknown;
  /** Called after each batch with the running totals and the position a stopped run would resume from. */
  onProgress?: (summary: IngestSummary, position: IngestPosition) => void;
  /** Records per bulk request (default 500). */
  batchSize?: number;
  /** Bytes per bulk request (default 8 MB, at most half the cluster's `http.max_content_length`). */
  batchBytes?: number;
  retry?: Partial<RetryPolicy>;
  /** How long one bulk request may take before it is sent again (ms; default: the connection's, 30 s). */
  requestTimeoutMs?: number;
  /** Refresh the written indices once at the end, so results are searchable at once. */
  refresh?: boolean;
  /** Go on where a stopped run stopped (IngestStopped.position), with its counts. */
  resume?: IngestPosition;
  /** How many dead letters `failures` names (default 1,000); all are counted. */
  maxFailures?: number;
}

export interface IngestFailure {
  file: string;
  line: number;
  index?: number;
  reason: string;
  /** The dead letter's id, when the pipeline wrote it (its own reason is there). */
  id?: string;
}

/** Every record read ends up in exactly one of indexed, duplicates or deadLettered. */
export interface IngestSummary {
  read: number;
  indexed: number;
  duplicates: number;
  deadLettered: number;
  /** The first `maxFailures` dead-lettered records. */
  failures: IngestFailure[];
  /** Requests or items sent again after a transient failure. */
  retries: number;
}

/** Where a stopped run goes on from, and what it had counted: records are numbered in reading order. */
export interface IngestPosition {
  /** Every record before this one is settled (indexed, a duplicate or dead-lettered). */
  done: number;
  /** Records after `done` that are settled too. */
  alsoDone: number[];
  /** Records after `done` whose last attempt got no answer: the cluster may hold them already. */
  unsure: number[];
  summary: IngestSummary;
}

/**
 * The cluster stopped taking writes (a block, a refused dead letter, retries used up): nothing was lost,
 * and `position` says where to go on from. Exit code 3.
 */
export class IngestStopped extends FiredrillError {
  constructor(
    readonly reason: string,
    readonly position: IngestPosition,
    cause?: unknown,
  ) {
    const { read, indexed, duplicates, deadLettered } = position.summary;
    super(
      `${reason}: stopped after ${read} record(s) (indexed ${indexed} / duplicates ${duplicates} / dead-lettered ${deadLettered})`,
      { cause, exitCode: refusedPermission(reason, cause) ? EXIT.refused : EXIT.stopped },
    );
    this.name = 'IngestStopped';
  }
}

/** A stop because the credentials lack a permission exits 77 like any refusal (still resumable once granted). */
function refusedPermission(reason: string, cause: unknown): boolean {
  if (cause instanceof FiredrillError && cause.exitCode === EXIT.refused) return true;
  return /security_exception|no permissions for/.test(reason);
}

const DEFAULT_BATCH_BYTES = 8 * 1024 * 1024;
/** Room left in a request for the HTTP headers and the request line. */
const REQUEST_HEADROOM = 64 * 1024;

/**
 * The largest bulk body the cluster takes: its `http.max_content_length` (default 100 MB) less some room.
 * Records above it are dead-lettered by the reader before they are held in memory.
 */
export async function maxRequestBytes(cluster: Cluster): Promise<number> {
  const limit = (await cluster.maxContentLength()) ?? DEFAULT_MAX_RECORD_BYTES;
  return Math.max(EXCERPT_BYTES * 16, limit - REQUEST_HEADROOM);
}

/**
 * Sends raw records through `firedrill-router` with create-only bulk writes bounded by count and bytes.
 * Every write carries an id derived from the record (the pipeline replaces it with the log's own event
 * id where there is one), so sending again never duplicates. Transient failures (429, 5xx, lost
 * connections, shards moving) are retried with back-off; a record the pipeline dead-lettered is counted
 * as such; a record that fails after the pipeline (e.g. a mapping conflict) or cannot be sent at all is
 * written to the dead-letter index here. When the cluster refuses writes, IngestStopped says where to
 * resume: nothing is lost, nothing written twice.
 */
export async function ingestRecords(
  cluster: Cluster,
  records: AsyncIterable<RawRecord> | Iterable<RawRecord>,
  options: IngestOptions = {},
): Promise<IngestSummary> {
  const layout = layoutOf(options.deployment);
  if (!(await cluster.getPipeline(layout.routerPipeline))) {
    throw new FiredrillError(
      `pipeline ${layout.routerPipeline} is not deployed on ${cluster.info.url}: deploy firedrill first`,
    );
  }
  const sender = new Sender(cluster, layout, options, await maxRequestBytes(cluster));
  const skip = new Set(options.resume?.alsoDone);
  const from = options.resume?.done ?? 0;
  const batchSize = options.batchSize ?? 500;
  let batch: Item[] = [];
  let bytes = 0;
  let ordinal = -1;
  for await (const record of records) {
    ordinal++;
    if (ordinal < from || skip.has(ordinal)) continue;
    const item = sender.prepare(record, ordinal);
    if (batch.length && (batch.length >= batchSize || bytes + item.bytes > sender.batchBytes)) {
      await sender.settle(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += item.bytes;
  }
  if (batch.length) await sender.settle(batch);
  if (options.refresh) await cluster.refresh(layout.eventIndices);
  return sender.summary;
}

/** One record on its way: its bulk lines (action and document), and where it came from. */
interface Item {
  ordinal: number;
  record: RawRecord;
  lines: string;
  bytes: number;
  /** Set when the item is a dead letter firedrill writes itself. */
  reason?: string;
  /** An attempt got no answer: a 409 now most likely means that attempt wrote it. */
  unsure: boolean;
}

class Sender {
  readonly summary: IngestSummary;
  batchBytes: number;
  private readonly retry: RetryPolicy;
  private readonly maxFailures: number;
  /** Settled records after `done`, and records whose attempt got no answer (carried over from a resume). */
  private done: number;
  private readonly alsoDone: Set<number>;
  private readonly unsure: Set<number>;

  constructor(
    private readonly cluster: Cluster,
    private readonly layout: Layout,
    private readonly options: IngestOptions,
    private readonly maxBytes: number,
  ) {
    const resume = options.resume;
    this.summary = resume
      ? { ...resume.summary, failures: [...resume.summary.failures] }
      : { read: 0, indexed: 0, duplicates: 0, deadLettered: 0, failures: [], retries: 0 };
    this.batchBytes = Math.min(options.batchBytes ?? DEFAULT_BATCH_BYTES, Math.floor(maxBytes / 2));
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.maxFailures = options.maxFailures ?? 1000;
    this.done = resume?.done ?? 0;
    this.alsoDone = new Set(resume?.alsoDone);
    this.unsure = new Set(resume?.unsure);
  }

  /** The bulk lines for a record: through the router, or straight into the dead letters if it cannot go. */
  prepare(record: RawRecord, ordinal: number): Item {
    if (record.unreadable) return this.deadLetter(record, ordinal, record.unreadable.reason, 'read');
    const text = this.options.transform ? rewrite(record, this.options.transform) : record.text;
    const action = {
      create: {
        _index: this.layout.incomingIndex,
        _id: this.idOf(record),
        pipeline: this.layout.routerPipeline,
      },
    };
    const doc = {
      message: text,
      firedrill: definedOnly({ source: this.options.source?.id, marker: this.options.marker }),
    };
    const item = this.item(record, ordinal, `${JSON.stringify(action)}\n${JSON.stringify(doc)}`);
    if (item.bytes <= this.maxBytes) return item;
    return this.deadLetter(
      record,
      ordinal,
      `a record of ${formatBytes(item.bytes)} is larger than the ${formatBytes(this.maxBytes)} one request may carry`,
      'read',
    );
  }

  /** Sends a batch until every record in it is settled; throws IngestStopped when the cluster will not. */
  async settle(batch: Item[]): Promise<void> {
    await this.send(batch, batch);
    for (const item of batch) {
      this.alsoDone.delete(item.ordinal);
      this.unsure.delete(item.ordinal);
    }
    this.done = batch[batch.length - 1]!.ordinal + 1;
    while (this.alsoDone.has(this.done)) this.alsoDone.delete(this.done++);
    const position = this.snapshot();
    this.options.onProgress?.(position.summary, position);
  }

  /** Sends `pending` (part of `batch`) until each item is settled. */
  private async send(batch: Item[], items: Item[]): Promise<void> {
    let pending = items;
    let idle = 0;
    while (pending.length) {
      let answer;
      try {
        answer = await this.cluster.sendBulk(
          pending.map((item) => item.lines),
          { timeoutMs: this.options.requestTimeoutMs },
        );
      } catch (error) {
        if (!(error instanceof NoAnswer)) throw this.stop(batch, describeError(error), error);
        if (error.outcomeUnknown) for (const item of pending) item.unsure = true;
        await this.wait(batch, idle++, error.message);
        continue;
      }
      const verdict = requestVerdict(answer.status);
      if (verdict === 'retry') {
        if (mayHaveBeenDone(answer.status)) for (const item of pending) item.unsure = true;
        await this.wait(batch, idle++, `the cluster answered ${answer.status} (${answer.reason})`);
        continue;
      }
      if (verdict === 'too-large') {
        pending = await this.split(batch, pending, answer.reason);
        continue;
      }
      if (verdict === 'refused')
        throw this.stop(batch, `the cluster refused a bulk request (${answer.status}: ${answer.reason})`);
      const { retry, settled, transient, refusal } = this.account(pending, answer.items!);
      if (refusal) throw this.stop(batch, `the cluster refused writes (${refusal})`);
      pending = retry;
      if (settled) idle = 0;
      if (transient) await this.wait(batch, idle++, `items failed again and again (${transient})`);
    }
  }

  /** Counts what each item's result says; returns what must be sent again. */
  private account(
    pending: Item[],
    results: BulkItemResult[],
  ): { retry: Item[]; settled: number; transient?: string; refusal?: string } {
    const retry: Item[] = [];
    const seen = new Set<string>();
    let settled = 0;
    let transient: string | undefined;
    let refusal: string | undefined;
    results.forEach((result, k) => {
      const item = pending[k]!;
      const key = `${result._index}/${result._id}`;
      let verdict = itemVerdict(result, this.layout.deadLetterIndex);
      // A write whose earlier attempt got no answer was most likely done by that attempt, unless an
      // item before it in this very request has the same id.
      if (verdict === 'duplicate' && item.unsure && !seen.has(key))
        verdict = result._index === this.layout.deadLetterIndex ? 'dead-lettered' : 'indexed';
      seen.add(key);
      const why = `${result.error?.type ?? result.status}: ${result.error?.reason ?? 'refused'}`;
      if (verdict === 'retry') {
        this.summary.retries++;
        transient ??= why;
        retry.push(item);
      } else if (verdict === 'refused') {
        refusal ??= why;
      } else if (verdict === 'dead-letter') {
        if (item.reason) refusal ??= `a dead letter was refused: ${why}`;
        else
          retry.push(
            this.deadLetter(item.record, item.ordinal, why, 'index', { code: result.error?.type, was: item }),
          );
      } else {
        this.count(item, verdict, result._id);
        settled++;
      }
    });
    return { retry, settled, transient, refusal };
  }

  /** A 413: the batch goes in halves (and later batches are smaller); a single record is dead-lettered. */
  private async split(batch: Item[], pending: Item[], reason: string | undefined): Promise<Item[]> {
    if (pending.length === 1) {
      const [item] = pending as [Item];
      if (item.reason) throw this.stop(batch, `the cluster refused a dead letter as too large (${reason})`);
      const why = `the cluster refused a request of ${formatBytes(item.bytes)} as too large (413)`;
      return [this.deadLetter(item.record, item.ordinal, why, 'read', { keep: EXCERPT_BYTES, was: item })];
    }
    this.batchBytes = Math.max(EXCERPT_BYTES, Math.floor(this.batchBytes / 2));
    const half = Math.ceil(pending.length / 2);
    await this.send(batch, pending.slice(0, half));
    return pending.slice(half);
  }

  private count(
    item: Item,
    verdict: 'indexed' | 'dead-lettered' | 'duplicate',
    id: string | undefined,
  ): void {
    this.summary.read++;
    if (verdict === 'indexed') this.summary.indexed++;
    else if (verdict === 'duplicate') this.summary.duplicates++;
    else {
      this.summary.deadLettered++;
      if (this.summary.failures.length < this.maxFailures) {
        const { file, line, index } = item.record;
        this.summary.failures.push(
          item.reason
            ? { file, line, index, reason: item.reason }
            : { file, line, index, reason: 'dead-lettered by the pipeline', id },
        );
      }
    }
    this.alsoDone.add(item.ordinal);
  }

  /** Waits before attempt `idle` + 1; stops the run when the retry budget is spent. */
  private async wait(batch: Item[], idle: number, why: string): Promise<void> {
    if (idle + 1 >= this.retry.attempts)
      throw this.stop(batch, `${why}; gave up after ${this.retry.attempts} attempts without progress`);
    this.summary.retries++;
    await sleep(backoffMs(idle, this.retry));
  }

  private stop(batch: Item[], reason: string, cause?: unknown): IngestStopped {
    for (const item of batch)
      if (item.unsure && !this.alsoDone.has(item.ordinal)) this.unsure.add(item.ordinal);
    return new IngestStopped(reason, this.snapshot(), cause);
  }

  private snapshot(): IngestPosition {
    let { done } = this;
    while (this.alsoDone.has(done)) done++;
    const after = (set: Set<number>) => [...set].filter((n) => n > done).sort((a, b) => a - b);
    return {
      done,
      alsoDone: after(this.alsoDone),
      unsure: after(this.unsure),
      summary: { ...this.summary, failures: [...this.summary.failures] },
    };
  }

  /** The record's own id: its text's hash, tagged with the run marker like every replayed copy. */
  private idOf(record: RawRecord): string {
    const hash = createHash('sha256')
      .update(record.unreadable?.sha256 ?? record.text)
      .digest('base64url');
    return this.options.marker ? `${hash.slice(0, 22)}@${this.options.marker}` : hash.slice(0, 22);
  }

  private item(record: RawRecord, ordinal: number, lines: string, reason?: string, was?: Item): Item {
    return {
      ordinal,
      record,
      lines,
      bytes: Buffer.byteLength(lines) + 2,
      reason,
      unsure: (was?.unsure ?? false) || this.unsure.has(ordinal),
    };
  }

  /** A dead letter firedrill writes itself: what the record was (or as much as fits), why, and where from. */
  private deadLetter(
    record: RawRecord,
    ordinal: number,
    reason: string,
    stage: 'read' | 'index',
    { code, was, keep = this.maxBytes / 2 }: { code?: string; was?: Item; keep?: number } = {},
  ): Item {
    const now = new Date().toISOString();
    const kept: Partial<Unreadable> & { text: string } = record.unreadable
      ? { ...record.unreadable, text: record.text }
      : fitting(record.text, keep);
    const doc = {
      '@timestamp': now,
      event: { kind: 'pipeline_error', ...(kept.text ? { original: kept.text } : {}), ingested: now },
      error: definedOnly({ message: reason, code }),
      firedrill: definedOnly({
        source: this.options.source?.id,
        marker: this.options.marker,
        dead_letter: definedOnly({
          stage,
          file: record.file,
          line: record.line,
          index: record.index,
          offset: record.offset,
          size: kept.size,
          sha256: kept.sha256,
          truncated: kept.truncated,
          original_base64: kept.base64,
        }),
      }),
    };
    const action = { create: { _index: this.layout.deadLetterIndex, _id: this.idOf(record) } };
    return this.item(record, ordinal, `${JSON.stringify(action)}\n${JSON.stringify(doc)}`, reason, was);
  }
}

/** The record after `transform`, as text: every number as it was written, JSON or not. */
function rewrite(record: RawRecord, transform: (record: unknown) => unknown): string {
  if (record.value === undefined) return record.text;
  const parsed = parseLossless(record.text, null, {
    // Plain numbers where they round-trip, so the transform sees ordinary values.
    parseNumber: (text) => (String(Number(text)) === text ? Number(text) : new LosslessNumber(text)),
    onDuplicateKey: ({ newValue }) => newValue,
  });
  return stringifyLossless(transform(parsed)) ?? record.text;
}

/** The text itself when it fits in a dead letter, else its start with size and hash. */
function fitting(text: string, maxBytes: number): Partial<Unreadable> & { text: string } {
  const size = Buffer.byteLength(text);
  if (size <= maxBytes) return { text };
  return {
    text: text.slice(0, EXCERPT_BYTES),
    size,
    sha256: createHash('sha256').update(text).digest('hex'),
    truncated: true,
  };
}

function definedOnly<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
