import { dirname, resolve } from 'node:path';
import type { Cluster } from '../cluster/index.js';
import type { CompiledRule } from '../compile/types.js';
import { loadTemplates, parseOffset, type Scenario, type TemplateLibrary } from '../content/scenarios.js';
import { runOnce } from '../engine/index.js';
import { loadDeployedRules } from '../engine/rules.js';
import { describeError, FiredrillError } from '../errors.js';
import { DEFAULT_DEPLOYMENT, layoutOf } from '../layout/index.js';
import { cleanup, newMarker, replay, type IngestCounts, type ReplayInput } from '../replay/replay.js';
import { checkExpectations, failureLines, flatten, observedAlerts } from './expectations.js';
import { generateRecords } from './generate.js';
import type {
  ExpectationResult,
  RuleSummary,
  RunResult,
  ScenarioResult,
  TimelineAlert,
  TimelineEvent,
} from './results.js';

const TIMELINE_SIZE = 200;

/**
 * Runs scenarios against a cluster where the pipelines and rules are already deployed: each in
 * isolation under its own marker — replay (shifted by whole weeks to just before now, so weekday and
 * hour still mean what the scenario says), one engine pass over its events, expectation checks with
 * polling, cleanup.
 */
export class ScenarioHarness {
  private templates?: TemplateLibrary;
  private templatesDir = 'scenarios/templates';
  private rules?: CompiledRule[];
  private timeoutMs = 15_000;
  private keep = false;
  private concurrency = 3;
  private deployment = DEFAULT_DEPLOYMENT;
  private listener?: (result: ScenarioResult, index: number, total: number) => void;

  constructor(private readonly cluster: Cluster) {}

  /** The deployment the scenarios replay into and whose rules run (default `default`). */
  withDeployment(name: string): this {
    this.deployment = name;
    this.rules = undefined;
    return this;
  }

  /** Where record templates live (default `scenarios/templates`). */
  withTemplatesDir(dir: string): this {
    this.templatesDir = dir;
    this.templates = undefined;
    return this;
  }

  /**
   * The rules to report on (ids, names, ATT&CK); default: the rules deployed in the cluster.
   * Expectations on rules that are not deployed fail as such.
   */
  withRules(rules: CompiledRule[]): this {
    this.rules = rules;
    return this;
  }

  /** How long to poll for expected alerts after the engine pass (default 15 s). */
  withTimeout(ms: number): this {
    this.timeoutMs = ms;
    return this;
  }

  /** How many scenarios run at once (default 3; each under its own marker). */
  withConcurrency(n: number): this {
    this.concurrency = Math.max(1, Math.floor(n));
    return this;
  }

  /** Keep each scenario's events and alerts (for inspection) instead of cleaning up. */
  withKeep(keep = true): this {
    this.keep = keep;
    return this;
  }

  onScenario(listener: (result: ScenarioResult, index: number, total: number) => void): this {
    this.listener = listener;
    return this;
  }

  async run(scenarios: Scenario[]): Promise<RunResult> {
    const started = Date.now();
    this.rules ??= await loadDeployedRules(this.cluster, layoutOf(this.deployment));
    const results: ScenarioResult[] = new Array(scenarios.length);
    let next = 0;
    let done = 0;
    // Markers and distinct seeds keep scenarios apart, so a few can share the cluster at once.
    const worker = async (): Promise<void> => {
      while (next < scenarios.length) {
        const i = next++;
        results[i] = await this.runScenario(scenarios[i]!);
        this.listener?.(results[i]!, done++, scenarios.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, scenarios.length) }, worker));
    return {
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      cluster: {
        distribution: this.cluster.info.distribution,
        version: this.cluster.info.version,
        url: this.cluster.info.url,
      },
      rules: this.rules.map(ruleSummary),
      scenarios: results,
      passed: results.every((r) => r.passed),
    };
  }

  async runScenario(scenario: Scenario): Promise<ScenarioResult> {
    const started = Date.now();
    this.rules ??= await loadDeployedRules(this.cluster, layoutOf(this.deployment));
    const marker = newMarker(scenario.name);
    const base: Omit<ScenarioResult, 'passed' | 'failures' | 'durationMs' | 'expectations'> = {
      name: scenario.name,
      file: scenario.file,
      description: scenario.description,
      kind: scenario.kind,
      attack: scenario.attack,
      marker,
      ingest: { read: 0, indexed: 0, duplicates: 0, deadLettered: 0, malformed: [] },
      events: [],
      alerts: [],
    };
    let expectations: ExpectationResult[] = [];
    const errors: string[] = [];
    try {
      // Shifted by whole weeks to just before now, so weekday and hour still mean what the scenario says.
      const replayed = await replay(this.cluster, this.inputsOf(scenario), {
        deployment: this.deployment,
        marker,
        shiftTo: Date.now() - 60_000,
        shiftByWeeks: true,
        source: scenario.raw?.source,
      }).catch((error: unknown) => {
        // The cluster cannot ingest at all (no pipeline, no ingest node, down): no later scenario can pass either.
        throw new ClusterUnusable(`replaying ${scenario.name} failed: ${describeError(error)}`, {
          cause: error,
        });
      });
      base.ingest = pick(replayed);
      if (replayed.latest === undefined) throw new Error('the scenario has no events with a readable time');
      await this.cluster.health('yellow');

      // Events before +0s are history (baselines); the engine judges the rest.
      const start = Date.parse(scenario.start) + replayed.offsetMs;
      const hasHistory = scenario.events.some((e) => parseOffset(e.at) < 0);
      const from = hasHistory ? start : replayed.earliest!;
      const detect = (rules?: string) =>
        runOnce(this.cluster, {
          deployment: this.deployment,
          marker,
          rules,
          from: new Date(from),
          to: new Date(replayed.latest! + 1000),
        });
      let failed = (await detect()).rules.filter((r) => r.error);
      if (failed.length) {
        // A source index created a moment ago (by this or a concurrent scenario) may still be starting its
        // shards; once they are active, the rules that failed run again — alert ids make that idempotent.
        await this.cluster.health('yellow');
        failed = (await detect(failed.map((r) => r.ruleId).join(','))).rules.filter((r) => r.error);
      }
      for (const r of failed) errors.push(`rule ${r.ruleId} failed to run: ${r.error}`);

      const deployed = new Set(this.rules.map((r) => r.id));
      expectations = await this.poll(scenario, marker, base.ingest, deployed);
      base.events = await this.timelineEvents(marker);
      base.alerts = await this.timelineAlerts(marker);
    } catch (error) {
      if (error instanceof ClusterUnusable) throw error;
      errors.push(describeError(error));
    } finally {
      if (!this.keep)
        await cleanup(this.cluster, marker, this.deployment).catch((e) =>
          errors.push(`cleanup: ${describeError(e)}`),
        );
    }
    const failures = [...errors, ...failureLines(expectations)];
    return {
      ...base,
      expectations,
      passed: failures.length === 0,
      failures,
      durationMs: Date.now() - started,
    };
  }

  private inputsOf(scenario: Scenario): ReplayInput[] {
    const inputs: ReplayInput[] = [];
    if (scenario.events.length) {
      this.templates ??= loadTemplates(this.templatesDir);
      inputs.push({
        name: scenario.file,
        records: generateRecords(scenario, this.templates).map((r) => r.record),
      });
    }
    for (const f of scenario.raw?.files ?? []) inputs.push({ file: resolve(dirname(scenario.file), f) });
    return inputs;
  }

  /** Alerts only ever appear, so: poll until every must_fire holds (or time runs out), then judge once. */
  private async poll(
    scenario: Scenario,
    marker: string,
    ingest: IngestCounts,
    deployed: Set<string>,
  ): Promise<ExpectationResult[]> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const alerts = await observedAlerts(this.cluster, marker, { deployment: this.deployment });
      const results = checkExpectations(scenario, alerts, ingest, deployed);
      const waiting = scenario.expect.must_fire.some(
        (w) => deployed.has(w.rule) && alerts.filter((a) => a.rule === w.rule).length < (w.count ?? 1),
      );
      if (!waiting || Date.now() >= deadline) return results;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  private async timelineEvents(marker: string): Promise<TimelineEvent[]> {
    const res = await this.cluster.search<Record<string, unknown>>(layoutOf(this.deployment).eventIndices, {
      size: TIMELINE_SIZE,
      sort: [{ '@timestamp': 'asc' }],
      query: { term: { 'firedrill.marker': marker } },
      _source: [
        '@timestamp',
        'event.action',
        'event.outcome',
        'user.name',
        'user.target.name',
        'firedrill.source',
        'error.message',
      ],
    });
    return res.hits.hits.map((h) => {
      const f = flatten(h._source);
      return {
        time: String(f['@timestamp'] ?? ''),
        source: String(f['firedrill.source'] ?? h._index),
        action: String(f['event.action'] ?? (h._index.includes('deadletter') ? 'dead letter' : 'event')),
        actor: text(f['user.name']),
        target: text(f['user.target.name']),
        outcome: text(f['event.outcome']),
      };
    });
  }

  private async timelineAlerts(marker: string): Promise<TimelineAlert[]> {
    const alerts = await observedAlerts(this.cluster, marker, { deployment: this.deployment });
    return alerts
      .map(({ rule, fields }) => ({
        time: String(fields['firedrill.alert.last_event'] ?? fields['@timestamp']),
        rule,
        ruleName: text(fields['rule.name']),
        severity: text(fields['firedrill.alert.severity']),
        target: text(fields['user.target.name']),
        actor: text(fields['user.name']),
      }))
      .sort((a, b) => a.time.localeCompare(b.time));
  }
}

function pick(r: IngestCounts): IngestCounts {
  return {
    read: r.read,
    indexed: r.indexed,
    duplicates: r.duplicates,
    deadLettered: r.deadLettered,
    malformed: r.malformed,
  };
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

function ruleSummary(rule: CompiledRule): RuleSummary {
  return { id: rule.id, name: rule.name, severity: rule.severity, threat: rule.threat };
}

/** An infrastructure failure that ends the whole run instead of failing one scenario. */
class ClusterUnusable extends FiredrillError {}
