import { awsCloudtrail } from './aws-cloudtrail.js';
import { azureAudit } from './azure-audit.js';
import { gcpAudit } from './gcp-audit.js';
import { fieldAt, matches, type LogSource } from './source.js';

export {
  fieldAt,
  matches,
  painlessCondition,
  type LogSource,
  type Recogniser,
  type SigmaField,
  type SigmaLogsource,
} from './source.js';

/** Every log source firedrill ingests, in the order the router tries them (docs/architecture.md: adding one). */
export const SOURCES: readonly LogSource[] = [awsCloudtrail, gcpAudit, azureAudit];

export const SOURCE_IDS: readonly string[] = SOURCES.map((s) => s.id);

/** The source with this id, or undefined. */
export function sourceById(id: string): LogSource | undefined {
  return SOURCES.find((s) => s.id === id);
}

/** The first source whose recogniser accepts a parsed record (what the router does), or undefined. */
export function recogniseRecord(record: unknown): LogSource | undefined {
  return SOURCES.find((s) => matches(s.recognise, record));
}

/** The record's own event id (CloudTrail eventID, GCP insertId, Entra ID entry id), as a string. */
export function eventIdOf(source: LogSource, record: unknown): string | undefined {
  for (const path of source.eventIdFields) {
    const value = fieldAt(record, path);
    if (typeof value === 'string' || typeof value === 'number') return String(value);
  }
  return undefined;
}
