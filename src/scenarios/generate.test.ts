import { describe, expect, it } from 'vitest';
import type { Scenario } from '../content/scenarios.js';
import { loadScenario, loadTemplates } from '../validate/index.js';
import { generateRecords } from './generate.js';

/** Reads a dotted path out of a generated record. */
const at = (record: unknown, path: string): unknown =>
  path.split('.').reduce((node, key) => (node as Record<string, unknown> | undefined)?.[key], record);

const templates = loadTemplates('scenarios/templates');
const attack = loadScenario('scenarios/an1608/aws-user-created-then-key.yaml');

describe('generateRecords', () => {
  it('produces real-schema CloudTrail records at the relative times', () => {
    const records = generateRecords(attack, templates);
    expect(records.map((r) => r.record.eventName)).toEqual([
      'CreateUser',
      'AttachUserPolicy',
      'CreateAccessKey',
      'GetCallerIdentity',
    ]);
    const [create, , key, use] = records.map((r) => r.record);
    expect(at(create, 'eventTime')).toBe('2026-01-10T02:14:00Z');
    expect(at(key, 'eventTime')).toBe('2026-01-10T02:15:15Z');
    expect(at(create, 'userIdentity.arn')).toBe('arn:aws:iam::111122223333:user/ci-deployer');
    expect(at(create, 'requestParameters')).toEqual({ userName: 'svc-backup-admin' });
    expect(at(create, 'responseElements.user.createDate')).toBe('Jan 10, 2026, 2:14:00 AM');
    // The key created is the key that signs the new account's first call.
    const newKey = at(key, 'responseElements.accessKey.accessKeyId');
    expect(newKey).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(at(use, 'userIdentity.accessKeyId')).toBe(newKey);
    expect(at(use, 'userIdentity.userName')).toBe('svc-backup-admin');
    expect(at(create, 'eventID')).not.toBe(at(create, 'requestID'));
  });

  it('is deterministic per seed and differs across seeds', () => {
    const a = generateRecords(attack, templates);
    expect(generateRecords(attack, templates)).toEqual(a);
    const other = generateRecords({ ...attack, seed: 'another' }, templates);
    expect(other[0]!.record.eventID).not.toBe(a[0]!.record.eventID);
    expect(new Set(a.map((r) => r.record.eventID)).size).toBe(a.length);
  });

  it('repeats events at the given interval with distinct ids', () => {
    const noise: Scenario = {
      ...attack,
      events: [{ at: '+0s', template: 'aws.iam.ListUsers', actor: 'intruder', repeat: 3, every: '2s' }],
    };
    const records = generateRecords(noise, templates);
    expect(records.map((r) => r.record.eventTime)).toEqual([
      '2026-01-10T02:14:00Z',
      '2026-01-10T02:14:02Z',
      '2026-01-10T02:14:04Z',
    ]);
    expect(new Set(records.map((r) => r.record.eventID)).size).toBe(3);
  });

  it('names the scenario and template when a placeholder has no value', () => {
    const broken: Scenario = {
      ...attack,
      identities: { x: { template: 'aws.iam-user', name: '${missing.value}' } },
      events: [{ at: '+0s', template: 'aws.iam.ListUsers', actor: 'x' }],
    };
    expect(() => generateRecords(broken, templates)).toThrow(
      /aws-user-created-then-key.yaml: identities.x: aws.iam-user: template placeholder \$\{missing.value\} has no value/,
    );
  });

  it('renders GCP and Azure records with their own time precision', () => {
    const s: Scenario = {
      ...attack,
      identities: { g: { template: 'gcp.user' }, a: { template: 'azure.user' } },
      events: [
        { at: '+0s', template: 'gcp.iam.CreateServiceAccount', actor: 'g', with: { accountId: 'sa1' } },
        { at: '+1s', template: 'azure.AddUser', actor: 'a' },
      ],
    };
    const [gcp, azure] = generateRecords(s, templates).map((r) => r.record);
    expect(at(gcp, 'timestamp')).toBe('2026-01-10T02:14:00.000000000Z');
    expect(at(gcp, 'protoPayload.response.email')).toBe('sa1@example-project.iam.gserviceaccount.com');
    expect(at(azure, 'time')).toBe('2026-01-10T02:14:01.0000000Z');
    expect(at(azure, 'properties.initiatedBy.user.userPrincipalName')).toBe('admin@contoso.example');
    expect(at(azure, 'correlationId')).toBe(at(azure, 'properties.correlationId'));
  });
});
