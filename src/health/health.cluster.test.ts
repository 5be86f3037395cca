import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../cluster/index.js';
import { deployPack } from '../scenarios/deploy-pack.js';
import { cleanup, expandInputs, replay } from '../replay/replay.js';
import { checkHealth } from './health.js';
import { formatHealth } from './format.js';
import type { CompiledRule } from '../compile/types.js';
import { connectTestCluster, uniqueName } from '../../test/setup/connect.js';

let cluster: Cluster;
let rules: CompiledRule[];
const marker = uniqueName('health');

beforeAll(async () => {
  cluster = await connectTestCluster();
  rules = await deployPack(cluster);
  await replay(cluster, expandInputs(['scenarios/an1608/raw']), { marker, shiftTo: Date.now() - 60_000 });
  await cluster.refresh('logs-*');
});
afterAll(async () => {
  await cleanup(cluster, marker);
  await cluster.close();
});

describe('health check', () => {
  it('reports activities, actions, rule field coverage, freshness and dead letters per source', async () => {
    const report = await checkHealth(cluster, { rules, marker });
    const aws = report.sources.find((s) => s.source === 'aws-cloudtrail')!;
    expect(aws.status).toBe('ok');
    expect(aws.events).toBe(12);
    expect(aws.activities).toMatchObject({ account_created: 4, credential_created: 4 });
    expect(aws.actions).toMatchObject({ CreateUser: 4, CreateAccessKey: 3, CreateLoginProfile: 1 });
    expect(aws.ageMs).toBeGreaterThanOrEqual(59_000);
    expect(aws.ageMs).toBeLessThan(600_000);
    const field = (name: string) => aws.fields.find((f) => f.field === name);
    expect(field('user.target.name')?.populated).toBe(aws.relevant);
    expect(field('user.target.name')?.rules).toContain('an1608-aws-user-created-then-credential');
    // Only credential creations carry a credential id: partial coverage is reported as such.
    expect(field('firedrill.credential.id')?.populated).toBeGreaterThanOrEqual(3);
    expect(field('firedrill.credential.id')?.populated).toBeLessThan(aws.relevant);
    const gcp = report.sources.find((s) => s.source === 'gcp-audit')!;
    expect(gcp).toMatchObject({ status: 'no-data', events: 0 });
    expect(gcp.rules).toContain('an1608-gcp-service-account-created-then-key');
    expect(report.deadLetters.total).toBe(2);
    const text = formatHealth(report);
    expect(text).toContain('aws-cloudtrail logs-aws.cloudtrail-* — ok: 12 event(s)');
    expect(text).toContain('gcp-audit logs-gcp.audit-* — NO DATA');
    expect(text).toContain('dead letters: 2');
  });

  it('flags a source whose newest event is too old as stale', async () => {
    const report = await checkHealth(cluster, { rules, marker, maxAgeMs: 1000 });
    expect(report.sources.find((s) => s.source === 'aws-cloudtrail')?.status).toBe('stale');
  });
});
