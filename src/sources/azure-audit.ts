import type { LogSource } from './source.js';

/**
 * Entra ID audit logs: the Azure Monitor diagnostic-settings record (`category: AuditLogs`, fields under
 * `properties`) or the Microsoft Graph directoryAudit shape (the same fields at the top level).
 */
export const azureAudit: LogSource = {
  id: 'azure-audit',
  title: 'Entra ID audit logs',
  dataset: 'azure.auditlogs',
  timeFields: ['time', 'properties.activityDateTime'],
  eventIdFields: ['properties.id', 'id'],
  recognise: {
    any: [
      { equals: ['category', 'AuditLogs'] },
      { present: 'activityDisplayName' },
      { present: 'properties.activityDisplayName' },
    ],
  },
};
