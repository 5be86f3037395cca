import type { LogSource } from './source.js';

/** AWS CloudTrail: one member of a delivery file's `Records` (or of an EventBridge / Lake export). */
export const awsCloudtrail: LogSource = {
  id: 'aws-cloudtrail',
  title: 'AWS CloudTrail',
  dataset: 'aws.cloudtrail',
  timeFields: ['eventTime'],
  eventIdFields: ['eventID'],
  recognise: { all: [{ present: 'eventVersion' }, { present: 'eventSource' }] },
};
