import type { BulkAction, BulkItemResult, Cluster } from '../cluster/index.js';
import { FiredrillError } from '../errors.js';
import { layoutOf, type Layout } from '../layout/index.js';
import type { LogSource } from '../sources/index.js';
import type { RawRecord } from './read.js';

export interface IngestOptions {
  /** The deployment whose router pipeline and indices are used (default `default`). */
  deployment?: string;
  /** Skip recognition: every record is of this source. */
  source?: LogSource;
  /** Kept on every document as `firedrill.marker`, so a replay can be found and removed. */
  marker?: string;
  /** Rewrites each parsed record before it is sent (e.g. time shifting); records that are not JSON are sent as they are. */
  transform?: (record: unknown) => unknown;
  /** Called after each batch with the running totals. */
  onProgress?: (progress: IngestSummary) => void;
  /** Records per bulk request (default 500). */
  batchSize?: number;
  /** Refresh the written indices once at the end, so results are searchable at once. */
  refresh?: boolean;
}

export interface IngestFailure {
  file: string;
  line: number;
  index?: number;
  reason: string;
}

/** Every record read ends up in exactly one of indexed, duplicates or deadLettered. */
export interface IngestSummary {
  read: number;
  indexed: number;
  duplicates: number;
  deadLettered: number;
  /** One entry per dead-lettered record. */
  failures: IngestFailure[];
}

const RETRIES = 5;

/**
 * Sends raw records through `firedrill-router` with create-only bulk writes. A 409 is a duplicate
 * delivery; a record the pipeline dead-lettered is counted as such; a record that fails after the
 * pipeline (e.g. a mapping conflict) is written to the dead-letter index here, so nothing is lost.
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
  const summary: IngestSummary = { read: 0, indexed: 0, duplicates: 0, deadLettered: 0, failures: [] };
  const batchSize = options.batchSize ?? 500;
  let batch: RawRecord[] = [];
  for await (const record of records) {
    summary.read++;
    batch.push(record);
    if (batch.length >= batchSize) {
      await sendBatch(cluster, layout, batch, options, summary);
      batch = [];
    }
  }
  if (batch.length) await sendBatch(cluster, layout, batch, options, summary);
  if (options.refresh) await cluster.refresh(layout.eventIndices);
  return summary;
}

async function sendBatch(
  cluster: Cluster,
  layout: Layout,
  batch: RawRecord[],
  options: IngestOptions,
  summary: IngestSummary,
): Promise<void> {
  let pending = batch.map((record) => ({ record, text: prepare(record, options.transform) }));
  for (let attempt = 0; pending.length; attempt++) {
    const actions: BulkAction[] = pending.map(({ text }) => ({
      create: { _index: layout.incomingIndex },
      doc: { message: text, firedrill: definedOnly({ source: options.source?.id, marker: options.marker }) },
    }));
    const results = await cluster.bulk(actions, { pipeline: layout.routerPipeline });
    const retry: typeof pending = [];
    const failed: { record: RawRecord; text: string; error: BulkItemResult['error'] }[] = [];
    results.forEach((result, i) => {
      const item = pending[i]!;
      if (result.status === 409) summary.duplicates++;
      else if (result.status === 429 && attempt < RETRIES) retry.push(item);
      else if (result.status >= 300) failed.push({ ...item, error: result.error });
      else if (result._index === layout.deadLetterIndex) {
        summary.deadLettered++;
        summary.failures.push({
          ...where(item.record),
          reason: `dead-lettered by the pipeline as ${result._id}`,
        });
      } else summary.indexed++;
    });
    if (failed.length) await deadLetter(cluster, layout, failed, options, summary);
    pending = retry;
    if (retry.length) await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
  }
  options.onProgress?.({ ...summary, failures: [...summary.failures] });
}

function prepare(record: RawRecord, transform: IngestOptions['transform']): string {
  if (!transform) return record.text;
  let parsed = record.value;
  if (parsed === undefined) {
    try {
      parsed = JSON.parse(record.text);
    } catch {
      return record.text;
    }
  }
  return JSON.stringify(transform(parsed));
}

/** Writes records the cluster refused after the pipeline straight to the dead-letter index. */
async function deadLetter(
  cluster: Cluster,
  layout: Layout,
  failed: { record: RawRecord; text: string; error: BulkItemResult['error'] }[],
  options: IngestOptions,
  summary: IngestSummary,
): Promise<void> {
  const now = new Date().toISOString();
  const results = await cluster.bulk(
    failed.map(({ record, text, error }) => ({
      create: { _index: layout.deadLetterIndex },
      doc: {
        '@timestamp': now,
        event: { kind: 'pipeline_error', original: text, ingested: now },
        error: { message: error?.reason ?? 'rejected by the cluster', code: error?.type },
        firedrill: definedOnly({
          source: options.source?.id,
          marker: options.marker,
          dead_letter: { stage: 'index', file: record.file, line: record.line, index: record.index },
        }),
      },
    })),
  );
  results.forEach((result, i) => {
    const { record, error } = failed[i]!;
    if (result.status >= 300) {
      throw new FiredrillError(
        `${record.file}:${record.line}: could not be indexed (${error?.reason}) nor dead-lettered (${result.error?.reason})`,
      );
    }
    summary.deadLettered++;
    summary.failures.push({
      ...where(record),
      reason: `${error?.type ?? 'error'}: ${error?.reason ?? 'rejected'}`,
    });
  });
}

function where(record: RawRecord): Pick<IngestFailure, 'file' | 'line' | 'index'> {
  return { file: record.file, line: record.line, index: record.index };
}

function definedOnly<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
