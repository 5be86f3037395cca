import type { LogSource } from './source.js';

/** GCP Cloud Audit Logs: a LogEntry whose payload is an AuditLog. */
export const gcpAudit: LogSource = {
  id: 'gcp-audit',
  title: 'GCP Cloud Audit Logs',
  dataset: 'gcp.audit',
  timeFields: ['timestamp', 'receiveTimestamp'],
  eventIdFields: ['insertId'],
  recognise: { object: 'protoPayload' },
};
