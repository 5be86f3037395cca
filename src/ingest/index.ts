export { readRecords, splitRecords, type RawRecord } from './read.js';
export {
  DEAD_LETTER_INDEX,
  INCOMING_INDEX,
  ROUTER_PIPELINE,
  ingestRecords,
  type IngestFailure,
  type IngestOptions,
  type IngestSummary,
  type SourceName,
} from './ingest.js';
