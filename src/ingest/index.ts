export { readRecords, splitRecords, type RawRecord } from './read.js';
export { ingestRecords, type IngestFailure, type IngestOptions, type IngestSummary } from './ingest.js';
