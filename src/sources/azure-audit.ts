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
  sigma: {
    product: 'azure',
    service: 'auditlogs',
    fields: {
      OperationName: 'azure.auditlogs.operation_name',
      operationName: 'azure.auditlogs.operation_name',
      ActivityDisplayName: 'azure.auditlogs.properties.activity_display_name',
      activityDisplayName: 'azure.auditlogs.properties.activity_display_name',
      'properties.activityDisplayName': 'azure.auditlogs.properties.activity_display_name',
      Category: 'azure.auditlogs.properties.category',
      'properties.category': 'azure.auditlogs.properties.category',
      Result: 'azure.auditlogs.properties.result',
      result: 'azure.auditlogs.properties.result',
      'properties.result': 'azure.auditlogs.properties.result',
      ResultReason: 'azure.auditlogs.properties.result_reason',
      'properties.resultReason': 'azure.auditlogs.properties.result_reason',
      ResultDescription: 'azure.auditlogs.result_description',
      resultDescription: 'azure.auditlogs.result_description',
      LoggedByService: 'azure.auditlogs.properties.logged_by_service',
      'properties.loggedByService': 'azure.auditlogs.properties.logged_by_service',
      OperationType: 'azure.auditlogs.properties.operation_type',
      'properties.operationType': 'azure.auditlogs.properties.operation_type',
      CorrelationId: 'azure.auditlogs.properties.correlation_id',
      'properties.correlationId': 'azure.auditlogs.properties.correlation_id',
      TenantId: 'azure.auditlogs.tenant_id',
      tenantId: 'azure.auditlogs.tenant_id',
      Identity: 'azure.auditlogs.identity',
      identity: 'azure.auditlogs.identity',
      'InitiatedBy.user.userPrincipalName': 'azure.auditlogs.properties.initiated_by.user.userPrincipalName',
      'InitiatedBy.user.id': 'azure.auditlogs.properties.initiated_by.user.id',
      'InitiatedBy.user.displayName': 'azure.auditlogs.properties.initiated_by.user.displayName',
      'InitiatedBy.app.displayName': 'azure.auditlogs.properties.initiated_by.app.displayName',
      'InitiatedBy.app.appId': 'azure.auditlogs.properties.initiated_by.app.appId',
      'InitiatedBy.app.servicePrincipalId': 'azure.auditlogs.properties.initiated_by.app.servicePrincipalId',
      'InitiatedBy.app.servicePrincipalName':
        'azure.auditlogs.properties.initiated_by.app.servicePrincipalName',
      'properties.initiatedBy.user.userPrincipalName':
        'azure.auditlogs.properties.initiated_by.user.userPrincipalName',
      'properties.initiatedBy.user.id': 'azure.auditlogs.properties.initiated_by.user.id',
      'properties.initiatedBy.user.displayName': 'azure.auditlogs.properties.initiated_by.user.displayName',
      'properties.initiatedBy.app.displayName': 'azure.auditlogs.properties.initiated_by.app.displayName',
      'properties.initiatedBy.app.appId': 'azure.auditlogs.properties.initiated_by.app.appId',
      'properties.initiatedBy.app.servicePrincipalId':
        'azure.auditlogs.properties.initiated_by.app.servicePrincipalId',
      'properties.initiatedBy.app.servicePrincipalName':
        'azure.auditlogs.properties.initiated_by.app.servicePrincipalName',
      'InitiatedBy.user.ipAddress': {
        field: 'azure.auditlogs.properties.initiated_by.user.ipAddress',
        ip: 'source.ip',
      },
      'properties.initiatedBy.user.ipAddress': {
        field: 'azure.auditlogs.properties.initiated_by.user.ipAddress',
        ip: 'source.ip',
      },
      TargetResources: { refused: 'targetResources is stored as a non-indexed object' },
      'properties.targetResources': { refused: 'targetResources is stored as a non-indexed object' },
      AdditionalDetails: { refused: 'additionalDetails is stored as a non-indexed object' },
      'properties.additionalDetails': { refused: 'additionalDetails is stored as a non-indexed object' },
    },
  },
};
