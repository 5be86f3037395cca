export {
  DEFAULT_MAX_RECORD_BYTES,
  readRecords,
  splitRecords,
  type RawRecord,
  type ReadOptions,
  type Unreadable,
} from './read.js';
export {
  ingestRecords,
  IngestStopped,
  maxRequestBytes,
  type IngestFailure,
  type IngestOptions,
  type IngestPosition,
  type IngestSummary,
} from './ingest.js';
export { DEFAULT_RETRY, type RetryPolicy } from './retry.js';
