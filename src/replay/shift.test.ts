import { describe, expect, it } from 'vitest';
import { eventTimeOf, offsetToLand, shiftRecord } from './shift.js';

const trail = { eventVersion: '1.09', eventTime: '2026-01-10T02:14:00Z', eventSource: 'iam.amazonaws.com' };
const gcp = {
  protoPayload: {},
  timestamp: '2026-01-10T02:14:00.123456789Z',
  receiveTimestamp: '2026-01-10T02:14:00.987654321Z',
};
const azure = {
  category: 'AuditLogs',
  operationName: 'Add user',
  time: '2026-01-10T02:14:00.1234567Z',
  properties: { activityDateTime: '2026-01-10T02:14:00.1234567Z' },
};

describe('time shifting', () => {
  it('moves every time field of each source by one offset, keeping precision', () => {
    const hour = 3_600_000;
    expect(shiftRecord(trail, hour).eventTime).toBe('2026-01-10T03:14:00Z');
    expect(shiftRecord(gcp, hour)).toMatchObject({
      timestamp: '2026-01-10T03:14:00.123456789Z',
      receiveTimestamp: '2026-01-10T03:14:00.987654321Z',
    });
    expect(shiftRecord(azure, -hour)).toMatchObject({
      time: '2026-01-10T01:14:00.1234567Z',
      properties: { activityDateTime: '2026-01-10T01:14:00.1234567Z' },
    });
    expect(trail.eventTime).toBe('2026-01-10T02:14:00Z');
  });

  it('lands the latest event on the target and keeps the gaps', () => {
    const records = [
      { ...trail, eventTime: '2026-01-10T02:14:00Z' },
      { ...trail, eventTime: '2026-01-10T02:19:30Z' },
      { ...trail, eventTime: '2026-01-10T02:10:00Z' },
    ];
    const target = Date.parse('2026-11-24T21:00:00.400Z');
    const offset = offsetToLand(
      records.map((r) => eventTimeOf(r)!),
      target,
    );
    const shifted = records.map((r) => eventTimeOf(shiftRecord(r, offset))!);
    expect(new Date(Math.max(...shifted)).toISOString()).toBe('2026-11-24T21:00:00.000Z');
    expect(shifted.map((t) => t - shifted[0]!)).toEqual([0, 330_000, -240_000]);
  });
});
