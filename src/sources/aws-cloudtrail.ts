import type { LogSource } from './source.js';

/** AWS CloudTrail: one member of a delivery file's `Records` (or of an EventBridge / Lake export). */
export const awsCloudtrail: LogSource = {
  id: 'aws-cloudtrail',
  title: 'AWS CloudTrail',
  dataset: 'aws.cloudtrail',
  timeFields: ['eventTime'],
  eventIdFields: ['eventID'],
  recognise: { all: [{ present: 'eventVersion' }, { present: 'eventSource' }] },
  sigma: {
    product: 'aws',
    service: 'cloudtrail',
    fields: {
      eventSource: 'event.provider',
      eventName: 'event.action',
      eventID: 'event.id',
      eventType: 'aws.cloudtrail.event_type',
      eventCategory: 'aws.cloudtrail.event_category',
      eventVersion: 'aws.cloudtrail.event_version',
      awsRegion: 'cloud.region',
      recipientAccountId: 'aws.cloudtrail.recipient_account_id',
      sourceIPAddress: { field: 'source.address', ip: 'source.ip' },
      userAgent: 'user_agent.original',
      errorCode: 'aws.cloudtrail.error_code',
      readOnly: 'aws.cloudtrail.read_only',
      managementEvent: 'aws.cloudtrail.management_event',
      requestID: 'aws.cloudtrail.request_id',
      sharedEventID: 'aws.cloudtrail.shared_event_id',
      vpcEndpointId: 'aws.cloudtrail.vpc_endpoint_id',
      'userIdentity.type': 'aws.cloudtrail.user_identity.type',
      'userIdentity.arn': 'aws.cloudtrail.user_identity.arn',
      'userIdentity.accountId': 'aws.cloudtrail.user_identity.account_id',
      'userIdentity.accessKeyId': 'aws.cloudtrail.user_identity.access_key_id',
      'userIdentity.invokedBy': 'aws.cloudtrail.user_identity.invoked_by',
      'userIdentity.sessionContext.sessionIssuer.type':
        'aws.cloudtrail.user_identity.session_context.session_issuer.type',
      'userIdentity.sessionContext.sessionIssuer.arn':
        'aws.cloudtrail.user_identity.session_context.session_issuer.arn',
      'userIdentity.sessionContext.sessionIssuer.userName':
        'aws.cloudtrail.user_identity.session_context.session_issuer.user_name',
      'userIdentity.sessionContext.sessionIssuer.principalId':
        'aws.cloudtrail.user_identity.session_context.session_issuer.principal_id',
      'userIdentity.sessionContext.sessionIssuer.accountId':
        'aws.cloudtrail.user_identity.session_context.session_issuer.account_id',
      'requestParameters.userName': {
        field: 'user.target.name',
        derived:
          'user.target.name is the account the call affects: requestParameters.userName when the request names one, else the caller itself (self-service calls) or the response',
      },
      errorMessage: {
        refused: 'errorMessage is indexed as text (aws.cloudtrail.error_message): no exact match',
      },
      requestParameters: { refused: 'requestParameters is stored as a non-indexed object' },
      responseElements: { refused: 'responseElements is stored as a non-indexed object' },
      additionalEventData: { refused: 'additionalEventData is stored as a non-indexed object' },
    },
  },
};
