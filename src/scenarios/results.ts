import type { Severity, ThreatMapping } from '../compile/types.js';
import type { ScenarioTechnique } from '../content/scenarios.js';
import type { IngestCounts } from '../replay/replay.js';

export type { IngestCounts, MalformedLine } from '../replay/replay.js';

/** One replayed event as the timeline shows it (times after the replay shift). */
export interface TimelineEvent {
  time: string;
  source: string;
  action: string;
  actor?: string;
  target?: string;
  outcome?: string;
}

export interface TimelineAlert {
  time: string;
  rule: string;
  ruleName?: string;
  severity?: string;
  target?: string;
  actor?: string;
}

/** One expectation of a scenario and whether the cluster met it. */
export interface ExpectationResult {
  kind: 'must_fire' | 'must_not_fire' | 'ingest';
  /** A rule id, `any` (must_not_fire: none) or the ingest counter. */
  subject: string;
  passed: boolean;
  /** Why it failed (or what was seen), one line. */
  detail: string;
}

export interface ScenarioResult {
  name: string;
  file: string;
  description: string;
  kind: 'attack' | 'benign';
  attack: ScenarioTechnique[];
  marker: string;
  passed: boolean;
  /** One line per unmet expectation or error. */
  failures: string[];
  durationMs: number;
  ingest: IngestCounts;
  expectations: ExpectationResult[];
  events: TimelineEvent[];
  alerts: TimelineAlert[];
}

/** What reports need to know about a deployed rule. */
export interface RuleSummary {
  id: string;
  name: string;
  severity: Severity;
  threat: ThreatMapping[];
}

/** A whole `firedrill test` run: the input of every report. */
export interface RunResult {
  startedAt: string;
  durationMs: number;
  cluster: { distribution: string; version: string; url: string };
  rules: RuleSummary[];
  scenarios: ScenarioResult[];
  passed: boolean;
}
