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
  it('reports per source what is there and how fresh, and per rule whether its queries see anything', async () => {
    const report = await checkHealth(cluster, { rules, marker });
    const aws = report.sources.find((s) => s.source === 'aws-cloudtrail')!;
    expect(aws.status).toBe('ok');
    expect(aws.events).toBe(15);
    expect(aws.actions).toMatchObject({ CreateUser: 5, CreateAccessKey: 4, CreateLoginProfile: 1 });
    expect(aws.ageMs).toBeGreaterThanOrEqual(59_000);
    expect(aws.ageMs).toBeLessThan(600_000);
    const rule = (id: string) => report.rules.find((r) => r.rule === id)!;
    const chain = rule('an1608-aws-user-created-then-credential');
    expect(chain).toMatchObject({ status: 'ok', sources: ['aws-cloudtrail'] });
    expect(chain.queries).toEqual([
      { name: 'user created', matching: 5 },
      { name: 'credential created for it', matching: 5 },
    ]);
    expect(chain.fields.find((f) => f.field === 'user.target.name')?.populated).toBe(chain.matching);
    // No Organizations call was replayed: that rule is blind on this data, and says so.
    expect(rule('an1608-aws-organizations-create-account').status).toBe('blind');
    const gcp = report.sources.find((s) => s.source === 'gcp-audit')!;
    expect(gcp).toMatchObject({ status: 'no-data', events: 0 });
    expect(gcp.rules).toContain('an1608-gcp-service-account-created-then-key');
    expect(rule('an1608-gcp-service-account-created-then-key').status).toBe('blind');
    expect(report.deadLetters.total).toBe(2);
    const text = formatHealth(report);
    expect(text).toContain('aws-cloudtrail logs-aws.cloudtrail-* — ok: 15 event(s)');
    expect(text).toContain('an1608-aws-user-created-then-credential: ok, 10 matching event(s)');
    expect(text).toMatch(/an1608-aws-organizations-create-account: BLIND \(nothing matches: where\)/);
    expect(text).toContain('gcp-audit logs-gcp.audit-* — NO DATA');
    expect(text).toContain('dead letters: 2');
  });

  it('flags a source whose newest event is too old as stale', async () => {
    const report = await checkHealth(cluster, { rules, marker, maxAgeMs: 1000 });
    expect(report.sources.find((s) => s.source === 'aws-cloudtrail')?.status).toBe('stale');
  });
});
