/**
 * The compiled form of all content: what the deployer puts into a cluster and the engine runs.
 * content (YAML/JSON files) → compile → Resource[] → deploy.
 */
import type { ThreatMapping } from '../content/attack.js';
import type { Severity } from '../content/rules.js';

// Content produces these; compiled rules carry them.
export type { Severity, ThreatMapping };

/** Kinds of cluster resource firedrill manages, in the order they must exist. */
export type ResourceKind = 'component_template' | 'index_template' | 'pipeline' | 'index' | 'rule';

/** Apply order: rules last, once the pipelines and templates they depend on are in place. */
export const RESOURCE_KIND_ORDER: readonly ResourceKind[] = [
  'component_template',
  'index_template',
  'pipeline',
  'index',
  'rule',
];

export interface Resource {
  kind: ResourceKind;
  /** The cluster name of the resource (pipeline id, template name, index name, rule id). */
  id: string;
  /** The exact body sent to the cluster, before the deployer adds its metadata. */
  body: Record<string, unknown>;
  /** `rule` resources only: the index that holds the rule document (the engine's rules index). */
  index?: string;
  /** The content file it came from, for messages. */
  sourceFile?: string;
}

/** A query in the cluster's own DSL; identical on both distributions. */
export type Dsl = Record<string, unknown>;

interface CompiledRuleBase {
  id: string;
  name: string;
  description: string;
  severity: Severity;
  riskScore: number;
  threat: ThreatMapping[];
  tags: string[];
  index: string[];
  enabled: boolean;
  intervalMs: number;
  lookbackMs: number;
  maxAlerts: number;
  /** Alerts for the same rule and group key within this window are suppressed. */
  suppressionMs: number;
  /** Fields whose values make one alert distinct (the "group key"); default per type. */
  groupBy: string[];
  /** Whether an alert for a created account also carries that account's first activity. */
  includeFirstActivity?: { withinMs: number };
  /** Investigation guide and false-positive notes, copied onto alerts as text. */
  investigation: string[];
  falsePositives: string[];
  /** fast-json-stable-stringify hash of this object (without the hash). */
  hash: string;
}

export interface CompiledQueryRule extends CompiledRuleBase {
  type: 'query';
  /** Matches single events; stored as a percolator query. */
  query: Dsl;
}

export interface CompiledThresholdRule extends CompiledRuleBase {
  type: 'threshold';
  query: Dsl;
  /** Count events per group (`groupBy`) within `windowMs`; alert when count (or distinct count of `cardinalityField`) >= value. */
  threshold: { value: number; windowMs: number; cardinalityField?: string };
}

export interface CompiledSequenceStep {
  name: string;
  query: Dsl;
  /**
   * The fields that join this step to the others, in an order every step shares (the names may differ
   * per step): e.g. the account and the user, so a same-named user in another account never chains.
   */
  join: string[];
}

export interface CompiledSequenceRule extends CompiledRuleBase {
  type: 'sequence';
  /** Ordered steps: each at or after the previous (same second counts), all within `maxSpanMs`, same join key. */
  steps: CompiledSequenceStep[];
  maxSpanMs: number;
  /** Present (false) when the steps may come in any order, all within `maxSpanMs` (Sigma `temporal`). */
  ordered?: false;
}

export interface CompiledNewTermsRule extends CompiledRuleBase {
  type: 'new_terms';
  query: Dsl;
  /** Alert when the combination of these field values has not been seen for the entity (`groupBy`) in `historyWindowMs`. */
  newTermsFields: string[];
  historyWindowMs: number;
}

export type CompiledRule =
  CompiledQueryRule | CompiledThresholdRule | CompiledSequenceRule | CompiledNewTermsRule;
