import type { LogSource } from './source.js';

/** GCP Cloud Audit Logs: a LogEntry whose payload is an AuditLog. */
export const gcpAudit: LogSource = {
  id: 'gcp-audit',
  title: 'GCP Cloud Audit Logs',
  dataset: 'gcp.audit',
  timeFields: ['timestamp', 'receiveTimestamp'],
  eventIdFields: ['insertId'],
  recognise: { object: 'protoPayload' },
  sigma: {
    product: 'gcp',
    service: 'gcp.audit',
    fields: {
      methodName: 'gcp.audit.method_name',
      'protoPayload.methodName': 'gcp.audit.method_name',
      'data.protoPayload.methodName': 'gcp.audit.method_name',
      serviceName: 'gcp.audit.service_name',
      'protoPayload.serviceName': 'gcp.audit.service_name',
      'data.protoPayload.serviceName': 'gcp.audit.service_name',
      resourceName: 'gcp.audit.resource_name',
      'protoPayload.resourceName': 'gcp.audit.resource_name',
      'data.protoPayload.resourceName': 'gcp.audit.resource_name',
      'protoPayload.authenticationInfo.principalEmail': 'gcp.audit.authentication_info.principal_email',
      'data.protoPayload.authenticationInfo.principalEmail': 'gcp.audit.authentication_info.principal_email',
      'protoPayload.requestMetadata.callerSuppliedUserAgent':
        'gcp.audit.request_metadata.caller_supplied_user_agent',
      'data.protoPayload.requestMetadata.callerSuppliedUserAgent':
        'gcp.audit.request_metadata.caller_supplied_user_agent',
      'protoPayload.status.code': 'gcp.audit.status.code',
      'data.protoPayload.status.code': 'gcp.audit.status.code',
      logName: 'gcp.audit.log_name',
      severity: 'log.level',
      insertId: 'event.id',
      'protoPayload.requestMetadata.callerIp': {
        field: 'gcp.audit.request_metadata.caller_ip',
        ip: 'source.ip',
      },
      'data.protoPayload.requestMetadata.callerIp': {
        field: 'gcp.audit.request_metadata.caller_ip',
        ip: 'source.ip',
      },
      'protoPayload.request': { refused: 'the request is stored as a non-indexed object' },
      'protoPayload.response': { refused: 'the response is stored as a non-indexed object' },
    },
  },
};
