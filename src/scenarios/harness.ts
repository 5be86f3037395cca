import { dirname, resolve } from 'node:path';
import type { Cluster } from '../cluster/index.js';
import type { CompiledRule } from '../compile/types.js';
import type { Scenario, TemplateLibrary } from '../content/scenarios.js';
import { ClusterClock, DetectionEngine, runOnce } from '../engine/index.js';
import { loadDeployedRules } from '../engine/rules.js';
import { readStates } from '../engine/state.js';
import { describeError, FiredrillError } from '../errors.js';
import { DEFAULT_DEPLOYMENT, layoutOf } from '../layout/index.js';
import {
  cleanup,
  newMarker,
  replay,
  sourceOption,
  timeSpan,
  type IngestCounts,
  type ReplayInput,
  type ReplayResult,
} from '../replay/replay.js';
import { offsetToLand } from '../replay/shift.js';
import { parseOffset } from '../time/index.js';
import { loadTemplates } from '../validate/index.js';
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

/** How a scenario's events reach the detection engine. */
export type HarnessMode = 'backfill' | 'live';

/**
 * Runs scenarios against a cluster where the pipelines and rules are already deployed, each under its own
 * marker: replay through the real pipelines (shifted by whole weeks to just before now, so weekday and hour
 * still mean what the scenario says), detection, expectation checks, cleanup.
 *
 * - `backfill` (default): one engine pass over exactly that scenario's events, by `@timestamp`.
 * - `live`: the production path — one continuous engine (1 s interval) runs for the whole run, and each
 *   scenario waits until every rule's checkpoint has passed the moment its replay became searchable. The
 *   engine keeps replay runs apart by their markers. Data stays until the end of the run.
 */
export class ScenarioHarness {
  private templates?: TemplateLibrary;
  private templatesDir = 'scenarios/templates';
  private rules?: CompiledRule[];
  private timeoutMs = 15_000;
  private keep = false;
  private concurrency = 3;
  private deployment = DEFAULT_DEPLOYMENT;
  private mode: HarnessMode = 'backfill';
  private engine?: DetectionEngine;
  private markers: string[] = [];
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

  /** Backfill (one engine pass per scenario) or live (one continuous engine for the run). */
  withMode(mode: HarnessMode): this {
    this.mode = mode;
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
    try {
      await Promise.all(Array.from({ length: Math.min(this.concurrency, scenarios.length) }, worker));
    } finally {
      await this.stop();
    }
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
      const { history, present } = this.inputsOf(scenario);
      const span = await timeSpan([...history, ...present], sourceOption(scenario.raw?.source));
      const offsetMs =
        span.latest === undefined ? 0 : offsetToLand([span.latest], Date.now() - 60_000, 'week');
      const send = (inputs: ReplayInput[]) =>
        replay(this.cluster, inputs, {
          deployment: this.deployment,
          marker,
          offsetMs,
          source: scenario.raw?.source,
        }).catch((error: unknown) => {
          // The cluster cannot ingest at all (no pipeline, no ingest node, down): no later scenario can pass.
          throw new ClusterUnusable(`replaying ${scenario.name} failed: ${describeError(error)}`, {
            cause: error,
          });
        });
      let replayed: ReplayResult;
      if (this.mode === 'live' && history.length) {
        // The live engine sees the baseline as the past it is: evaluated when it happened, and whatever it
        // raised was dealt with then (removed here), before the scenario itself happens.
        const past = await send(history);
        errors.push(...(await this.waitForLiveEngine()));
        await this.cluster.deleteByQuery(layoutOf(this.deployment).alertsIndex, {
          term: { 'firedrill.marker': marker },
        });
        replayed = add(past, await send(present));
      } else replayed = await send([...history, ...present]);
      base.ingest = pick(replayed);
      if (replayed.latest === undefined) throw new Error('the scenario has no events with a readable time');
      await this.cluster.health('yellow');

      // Events before +0s are history (baselines); the engine judges the rest.
      const start = Date.parse(scenario.start) + replayed.offsetMs;
      const hasHistory = scenario.events.some((e) => parseOffset(e.at) < 0);
      if (this.mode === 'live') errors.push(...(await this.waitForLiveEngine()));
      else
        errors.push(
          ...(await this.backfill(marker, hasHistory ? start : replayed.earliest!, replayed.latest)),
        );

      const deployed = new Set(this.rules.map((r) => r.id));
      expectations = await this.poll(scenario, marker, base.ingest, deployed, start);
      base.events = await this.timelineEvents(marker);
      base.alerts = await this.timelineAlerts(marker);
    } catch (error) {
      if (error instanceof ClusterUnusable) throw error;
      errors.push(describeError(error));
    } finally {
      // A live engine's late window counts events per second: deleting some while it runs could hide others.
      if (this.mode === 'live') this.markers.push(marker);
      else if (!this.keep)
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

  /** One engine pass over the scenario's events; rules that fail on a just-created index run once more. */
  private async backfill(marker: string, from: number, latest: number): Promise<string[]> {
    const detect = (rules?: string) =>
      runOnce(this.cluster, {
        deployment: this.deployment,
        marker,
        rules,
        from: new Date(from),
        to: new Date(latest + 1000),
      });
    let failed = (await detect()).rules.filter((r) => r.error);
    if (failed.length) {
      // A source index created a moment ago (by this or a concurrent scenario) may still be starting its
      // shards; once they are active, the rules that failed run again — alert ids make that idempotent.
      await this.cluster.health('yellow');
      failed = (await detect(failed.map((r) => r.ruleId).join(','))).rules.filter((r) => r.error);
    }
    return failed.map((r) => `rule ${r.ruleId} failed to run: ${r.error}`);
  }

  /**
   * Live: starts the run's continuous engine if it is not running, then waits until every rule has
   * evaluated everything searchable now (its checkpoint is past the cluster's now) — the replay is searchable
   * when it reports. Returns the errors of rules that did not get there.
   */
  private async waitForLiveEngine(): Promise<string[]> {
    this.engine ??= new DetectionEngine(this.cluster)
      .withInterval(1000)
      .withOwner(`firedrill-test-${process.pid}`)
      .withRunOptions({ deployment: this.deployment })
      .start();
    const layout = layoutOf(this.deployment);
    const replayed = await new ClusterClock(this.cluster).now();
    const ids = this.rules!.filter((r) => r.enabled).map((r) => r.id);
    const deadline = Date.now() + Math.max(this.timeoutMs, 60_000);
    for (;;) {
      const states = await readStates(this.cluster, layout.engineStateIndex, ids, undefined);
      const behind = ids.filter((id) => {
        const checkpoint = states.get(id)?.state.checkpoint;
        return !checkpoint || Date.parse(checkpoint) < replayed;
      });
      if (behind.length === 0) return [];
      if (Date.now() >= deadline)
        return behind.map((id) => {
          const error = states.get(id)?.state.error;
          return `rule ${id} ${error ? `failed to run: ${error}` : 'did not catch up with the replay in time'}`;
        });
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Live: stops the engine and removes every scenario's data, unless kept (`run()` does this itself). */
  async stop(): Promise<void> {
    await this.engine?.stop();
    this.engine = undefined;
    if (!this.keep)
      for (const marker of this.markers.splice(0)) await cleanup(this.cluster, marker, this.deployment);
  }

  /** The scenario's records: its history (events before +0s, the baseline) and the rest. */
  private inputsOf(scenario: Scenario): { history: ReplayInput[]; present: ReplayInput[] } {
    const start = Date.parse(scenario.start);
    this.templates ??= scenario.events.length ? loadTemplates(this.templatesDir) : this.templates;
    const generated = scenario.events.length ? generateRecords(scenario, this.templates!) : [];
    const part = (records: typeof generated): ReplayInput[] =>
      records.length ? [{ name: scenario.file, records: records.map((r) => r.record) }] : [];
    return {
      history: part(generated.filter((r) => r.time < start)),
      present: [
        ...part(generated.filter((r) => r.time >= start)),
        ...(scenario.raw?.files ?? []).map((f) => ({ file: resolve(dirname(scenario.file), f) })),
      ],
    };
  }

  /** Alerts only ever appear, so: poll until every must_fire holds (or time runs out), then judge once. */
  private async poll(
    scenario: Scenario,
    marker: string,
    ingest: IngestCounts,
    deployed: Set<string>,
    start: number,
  ): Promise<ExpectationResult[]> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      // An alert made of history alone (before +0s) is the past the scenario sets up, not its verdict.
      const alerts = (await observedAlerts(this.cluster, marker, { deployment: this.deployment })).filter(
        (a) => Date.parse(String(a.fields['firedrill.alert.last_event'])) >= start,
      );
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

/** One replay result for a scenario replayed in two parts. */
function add(first: ReplayResult, second: ReplayResult): ReplayResult {
  const bound = (f: (a: number, b: number) => number, a?: number, b?: number) =>
    a === undefined ? b : b === undefined ? a : f(a, b);
  return {
    ...second,
    read: first.read + second.read,
    indexed: first.indexed + second.indexed,
    duplicates: first.duplicates + second.duplicates,
    deadLettered: first.deadLettered + second.deadLettered,
    malformed: [...first.malformed, ...second.malformed],
    earliest: bound(Math.min, first.earliest, second.earliest),
    latest: bound(Math.max, first.latest, second.latest),
  };
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
