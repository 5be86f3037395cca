import { readFileSync } from 'node:fs';
import type { AlertDocument } from '../../src/alerts/types.js';
import type { Cluster } from '../../src/cluster/index.js';
import { compileEngineResources } from '../../src/compile/engine.js';
import { withHash } from '../../src/compile/rules/index.js';
import type {
  CompiledNewTermsRule,
  CompiledQueryRule,
  CompiledRule,
  CompiledSequenceRule,
  CompiledThresholdRule,
  Resource,
} from '../../src/compile/types.js';
import { DEFAULT_HISTORY_INDEX, deploy } from '../../src/deploy/index.js';
import {
  engineIndices,
  runOnce,
  type EngineIndices,
  type RunOptions,
  type RunReport,
} from '../../src/engine/index.js';
import { nest } from '../../src/engine/fields.js';
import { uniqueName } from '../setup/connect.js';

/** The docs/fields.md event mapping, as a component template the engine merges into its rules index. */
export const eventTemplate: Resource = {
  kind: 'component_template',
  id: 'fdt-events',
  body: JSON.parse(readFileSync(new URL('./fixtures/event-template.json', import.meta.url), 'utf8')),
};

export const MINUTE = 60_000;

/** A compiled rule with test defaults: enabled, 5 m interval, 1 h lookback, no suppression. */
export function rule<R extends CompiledRule>(
  fields: { id: string; type: R['type'] } & Partial<Omit<R, 'hash'>>,
): R {
  return withHash({
    name: fields.id,
    description: `test rule ${fields.id}`,
    severity: 'high',
    riskScore: 73,
    threat: [
      {
        tactic: { id: 'TA0003', name: 'Persistence' },
        technique: { id: 'T1136', name: 'Create Account' },
        subtechnique: { id: 'T1136.003', name: 'Cloud Account' },
        analytic: 'AN1608',
      },
    ],
    tags: ['test'],
    enabled: true,
    intervalMs: 5 * MINUTE,
    lookbackMs: 60 * MINUTE,
    maxAlerts: 100,
    suppressionMs: 0,
    groupBy: [],
    investigation: ['Review the creator.'],
    falsePositives: ['Onboarding.'],
    ...fields,
  } as never) as R;
}

export type { CompiledNewTermsRule, CompiledQueryRule, CompiledSequenceRule, CompiledThresholdRule };

/** An ECS event from dotted fields; `@timestamp` and `event.ingested` are epoch ms or ISO. */
export function event(fields: Record<string, unknown>): Record<string, unknown> {
  const iso = (v: unknown) => (typeof v === 'number' ? new Date(v).toISOString() : v);
  return nest({
    'event.kind': 'event',
    'event.outcome': 'success',
    'cloud.provider': 'aws',
    'cloud.account.id': '111122223333',
    ...fields,
    '@timestamp': iso(fields['@timestamp']),
    'event.ingested': iso(fields['event.ingested'] ?? Date.now()),
  });
}

/**
 * One isolated engine installation on the shared test cluster: its own alerts/rules/state indices, its own
 * deployment and its own event index, deployed with the real deployer.
 */
export class EngineEnv {
  readonly name = uniqueName('fdt-engine');
  readonly indices: EngineIndices = engineIndices(this.name);
  /** The event index every test rule reads. */
  readonly events = `${this.name}-events`;

  constructor(readonly cluster: Cluster) {}

  async deploy(rules: CompiledRule[]): Promise<void> {
    if (!(await this.cluster.indexExists(this.events)))
      await this.cluster.createIndex(this.events, {
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: (eventTemplate.body as { template: { mappings: unknown } }).template.mappings,
      });
    await deploy(this.cluster, compileEngineResources(rules, [eventTemplate], this.indices), {
      deployment: this.name,
    });
  }

  async ingest(events: Record<string, unknown>[], ids?: string[]): Promise<void> {
    const items = await this.cluster.bulk(
      events.map((doc, i) => ({ create: { _index: this.events, _id: ids?.[i] }, doc })),
      { refresh: true },
    );
    const failed = items.find((item) => item.status >= 300);
    if (failed) throw new Error(`ingest failed: ${JSON.stringify(failed)}`);
  }

  run(options: RunOptions = {}): Promise<RunReport> {
    return runOnce(this.cluster, { settleMs: 0, indices: this.indices, ...options });
  }

  async alerts(ruleId?: string): Promise<(AlertDocument & { _id: string })[]> {
    await this.cluster.refresh(this.indices.alerts);
    const res = await this.cluster.search<AlertDocument>(this.indices.alerts, {
      size: 1000,
      sort: [{ 'firedrill.alert.anchor': 'asc' }],
      query: ruleId ? { term: { 'rule.id': ruleId } } : { match_all: {} },
    });
    return res.hits.hits.map((hit) => ({ _id: hit._id, ...hit._source }));
  }

  async cleanup(): Promise<void> {
    for (const index of [...Object.values(this.indices), this.events]) await this.cluster.deleteIndex(index);
    await this.cluster.deleteIndexTemplate(this.indices.alerts);
    await this.cluster.deleteByQuery(DEFAULT_HISTORY_INDEX, { term: { deployment: this.name } });
  }
}
