/** The benchmarks' shared workload: a rule pack of variants of the real rules, and generated CloudTrail records. */
import type { Cluster } from '../../src/cluster/index.js';
import { ruleDocument } from '../../src/compile/engine.js';
import { withHash } from '../../src/compile/rules/index.js';
import type { CompiledRule, Resource } from '../../src/compile/types.js';
import type { Scenario } from '../../src/content/scenarios.js';
import { ingestRecords, type RawRecord } from '../../src/ingest/index.js';
import { generateRecords } from '../../src/scenarios/generate.js';
import { loadTemplates } from '../../src/validate/index.js';

/**
 * The content's rules replaced by `count` variants of them (same queries, distinct ids), round robin;
 * each hashed as the compiler would, or the engine would refuse it.
 */
export function withRulePack(resources: Resource[], count: number): Resource[] {
  const rules = resources.filter((r) => r.kind === 'rule');
  const pack = Array.from({ length: count }, (_, i) => {
    const original = rules[i % rules.length]!;
    const { hash: _hash, ...rule } = original.body.firedrill_rule as CompiledRule;
    const id = `${rule.id}-v${i}`;
    return { ...original, id, body: ruleDocument(withHash({ ...rule, id })) };
  });
  return [...resources.filter((r) => r.kind !== 'rule'), ...pack];
}

const templates = loadTemplates('scenarios/templates');

/**
 * `noise` read-only calls and `attacks` user-then-key chains (targets `<prefix>-<n>`), generated from the
 * scenario library's templates, starting at `start`, one call every 2 ms.
 */
export function records(
  seed: string,
  start: number,
  noise: number,
  attacks: number,
  prefix = seed,
): RawRecord[] {
  const scenario: Scenario = {
    name: seed,
    description: 'bench',
    kind: 'attack',
    attack: [],
    seed,
    start: new Date(start).toISOString(),
    identities: {
      reader: { template: 'aws.iam-user', name: 'auditor', key: 'reader', ip: '198.51.100.5' },
      intruder: { template: 'aws.iam-user', name: 'ci-deployer', key: 'stolen', ip: '203.0.113.66' },
      root: { template: 'aws.root', ip: '203.0.113.77' },
    },
    events: [
      ...(noise
        ? [{ at: '+0s', template: 'aws.sts.GetCallerIdentity', actor: 'reader', repeat: noise, every: '2ms' }]
        : []),
      ...Array.from({ length: attacks }, (_, i) => [
        {
          at: `+${i}s`,
          template: 'aws.iam.CreateUser',
          actor: 'intruder',
          with: { userName: `${prefix}-${i}` },
        },
        {
          at: `+${i}s`,
          template: 'aws.iam.CreateAccessKey',
          actor: 'intruder',
          with: { userName: `${prefix}-${i}`, key: `${prefix}-k${i}` },
        },
      ]).flat(),
    ],
    expect: { must_fire: [], must_not_fire: [] },
    file: seed,
  };
  return toRaw(seed, generateRecords(scenario, templates));
}

/**
 * The records of `pool` as new events: each eventID gets `suffix`, so the pipelines index them again. Much
 * cheaper than generating records, which keeps a load generator from competing with the cluster it loads.
 */
export function renewed(pool: RawRecord[], suffix: string): RawRecord[] {
  return pool.map((r) => ({ ...r, text: r.text.replace(/"eventID":"([^"]+)"/, `"eventID":"$1-${suffix}"`) }));
}

/** One record: the root user creates `user` now (the probe the latency benchmark times to its alert). */
export function probeRecords(user: string): RawRecord[] {
  return toRaw(
    user,
    generateRecords(
      {
        name: user,
        description: 'probe',
        kind: 'attack',
        attack: [],
        seed: user,
        start: new Date().toISOString(),
        identities: { root: { template: 'aws.root', ip: '203.0.113.77' } },
        events: [{ at: '+0s', template: 'aws.iam.CreateUser', actor: 'root', with: { userName: user } }],
        expect: { must_fire: [], must_not_fire: [] },
        file: user,
      },
      templates,
    ),
  );
}

function toRaw(file: string, generated: ReturnType<typeof generateRecords>): RawRecord[] {
  return generated.map((r, i) => ({ value: r.record, text: JSON.stringify(r.record), file, line: i + 1 }));
}

/** Sends raw records through the deployment's pipelines, as `firedrill replay` does; none may fail. */
export async function send(cluster: Cluster, deployment: string, batch: RawRecord[]): Promise<void> {
  const summary = await ingestRecords(cluster, batch, { deployment, batchSize: 5_000 });
  if (summary.indexed !== batch.length)
    throw new Error(`ingest failed: ${summary.failures[0]?.reason ?? `${summary.duplicates} duplicate(s)`}`);
}

export function round(value: number): number {
  return Math.round(value * 100) / 100;
}
