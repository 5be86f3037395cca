import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../cluster/index.js';
import { defaultConfig, type FiredrillConfig } from '../content/config.js';
import { compileAll } from './index.js';
import { connectTestCluster } from '../../test/setup/connect.js';

interface SimulateResponse {
  docs: {
    doc?: { _source: { firedrill?: { time?: { weekday: string; hour: number } } } };
    error?: unknown;
  }[];
}

const SAMPLE = JSON.parse(
  readFileSync('pipelines/aws-cloudtrail/samples/add-user-to-group-cli-v1.json', 'utf8'),
) as Record<string, unknown>;

let cluster: Cluster;
beforeAll(async () => {
  cluster = await connectTestCluster();
});
afterAll(async () => cluster?.close());

function configIn(timezone?: string): FiredrillConfig {
  const config = defaultConfig();
  if (timezone) config.parameters.change_window.timezone = timezone;
  return config;
}

/** The weekday and hour the compiled CloudTrail pipeline gives each event time, run on the real cluster. */
async function localTimes(timezone: string | undefined, times: string[]): Promise<string[]> {
  const pipeline = compileAll({ config: configIn(timezone) }).find(
    (r) => r.kind === 'pipeline' && r.id === 'firedrill-aws-cloudtrail',
  );
  const res = await cluster.simulatePipeline<SimulateResponse>(
    pipeline!.body as object,
    // What the router hands a source pipeline: the parsed record and firedrill.*.
    times.map((eventTime) => ({ json: { ...SAMPLE, eventTime }, firedrill: { source: 'aws-cloudtrail' } })),
  );
  return res.docs.map((d) => {
    const time = d.doc?._source.firedrill?.time;
    return time ? `${time.weekday} ${time.hour}` : JSON.stringify(d.error);
  });
}

describe('change_window.timezone: firedrill.time.* in local time, daylight saving included', () => {
  it('is UTC without a timezone', async () => {
    expect(await localTimes(undefined, ['2026-01-05T07:30:00Z', '2026-07-06T06:30:00Z'])).toEqual([
      'mon 7',
      'mon 6',
    ]);
  });

  it('follows Europe/Berlin across the daylight-saving switch', async () => {
    // 08:30 local in winter (UTC+1) and in summer (UTC+2); the night of the March switch (02:00 → 03:00).
    expect(
      await localTimes('Europe/Berlin', [
        '2026-01-05T07:30:00Z',
        '2026-07-06T06:30:00Z',
        '2026-03-29T00:30:00Z',
        '2026-03-29T01:30:00Z',
      ]),
    ).toEqual(['mon 8', 'mon 8', 'sun 1', 'sun 3']);
  });

  it('moves the weekday too: Monday 03:00 UTC is Sunday evening in New York', async () => {
    expect(await localTimes('America/New_York', ['2026-01-05T03:00:00Z', '2026-07-06T03:00:00Z'])).toEqual([
      'sun 22',
      'sun 23',
    ]);
  });
});
