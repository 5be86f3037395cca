import { readAlerts } from '../alerts/index.js';
import type { Cluster } from '../cluster/index.js';
import type { Scenario } from '../content/scenarios.js';
import type { IngestCounts } from '../replay/replay.js';
import type { ExpectationResult } from './results.js';

/** An alert as the checks read it: its rule and its fields, flattened to dotted names. */
export interface ObservedAlert {
  rule: string;
  fields: Record<string, unknown>;
}

/**
 * Checks a scenario's expectations against the alerts its marker produced and its ingest counts.
 * `deployed` is the rule ids in the cluster: expecting an alert from a rule that is not deployed fails
 * with that reason rather than a bare count.
 */
export function checkExpectations(
  scenario: Scenario,
  alerts: ObservedAlert[],
  ingest: IngestCounts,
  deployed: ReadonlySet<string>,
): ExpectationResult[] {
  const results: ExpectationResult[] = [];
  const byRule = new Map<string, ObservedAlert[]>();
  for (const a of alerts) byRule.set(a.rule, [...(byRule.get(a.rule) ?? []), a]);

  for (const want of scenario.expect.must_fire) {
    const got = byRule.get(want.rule) ?? [];
    const base = { kind: 'must_fire' as const, subject: want.rule };
    if (!deployed.has(want.rule)) {
      results.push({
        ...base,
        passed: false,
        detail: `expected an alert, but rule ${want.rule} is not deployed`,
      });
      continue;
    }
    if (want.count === undefined ? got.length === 0 : got.length !== want.count) {
      const expected = want.count === undefined ? 'at least 1 alert' : `${want.count} alert(s)`;
      results.push({ ...base, passed: false, detail: `expected ${expected}, got ${got.length}` });
      continue;
    }
    const mismatch = fieldMismatch(got, want.fields ?? {});
    results.push(
      mismatch
        ? { ...base, passed: false, detail: mismatch }
        : { ...base, passed: true, detail: `${got.length} alert(s)` },
    );
  }

  const expected = new Set(scenario.expect.must_fire.map((w) => w.rule));
  if (scenario.expect.must_not_fire === 'none') {
    const unexpected = alerts.filter((a) => !expected.has(a.rule));
    const rules = [...new Set(unexpected.map((a) => a.rule))];
    results.push({
      kind: 'must_not_fire',
      subject: 'any',
      passed: unexpected.length === 0,
      detail: unexpected.length
        ? `expected no other alerts, got ${describeAlerts(unexpected, rules)}`
        : 'no other alerts',
    });
  } else {
    for (const rule of scenario.expect.must_not_fire) {
      const got = byRule.get(rule) ?? [];
      results.push({
        kind: 'must_not_fire',
        subject: rule,
        passed: got.length === 0,
        detail: got.length ? `expected no alert, got ${describeAlerts(got, [rule])}` : 'no alert',
      });
    }
  }

  const counts: Record<string, number> = {
    read: ingest.read,
    indexed: ingest.indexed,
    duplicates: ingest.duplicates,
    dead_lettered: ingest.deadLettered,
  };
  for (const [key, want] of Object.entries(scenario.expect.ingest ?? {})) {
    const got = counts[key];
    results.push({
      kind: 'ingest',
      subject: key,
      passed: got === want,
      detail: got === want ? `${got}` : `expected ${key} ${want}, got ${got}`,
    });
  }
  return results;
}

/** One failure line per unmet expectation, naming its subject. */
export function failureLines(results: ExpectationResult[]): string[] {
  return results.filter((r) => !r.passed).map((r) => `${r.kind} ${r.subject}: ${r.detail}`);
}

/** Why the alerts do not all carry the wanted field values, or undefined when they do. */
export function fieldMismatch(alerts: ObservedAlert[], fields: Record<string, unknown>): string | undefined {
  for (const alert of alerts)
    for (const [field, want] of Object.entries(fields)) {
      const value = alert.fields[field];
      const values = Array.isArray(value) ? value : [value];
      if (!values.some((v) => v === want))
        return `expected ${field} = ${JSON.stringify(want)}, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`;
    }
  return undefined;
}

function describeAlerts(alerts: ObservedAlert[], rules: string[]): string {
  return `${alerts.length} alert(s) from ${rules.join(', ')}`;
}

/** Flattens a nested document into dotted field names (arrays stay values). */
export function flatten(
  doc: Record<string, unknown>,
  prefix = '',
  out: Record<string, unknown> = {},
): Record<string, unknown> {
  for (const [key, value] of Object.entries(doc)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === 'object' && !Array.isArray(value))
      flatten(value as Record<string, unknown>, name, out);
    else out[name] = value;
  }
  return out;
}

/** The alerts one replay marker produced (refreshing first, so the engine's last writes are visible). */
export async function observedAlerts(
  cluster: Cluster,
  marker: string,
  options: { deployment?: string; rule?: string } = {},
): Promise<ObservedAlert[]> {
  const alerts = await readAlerts(cluster, { ...options, marker, limit: 10_000, refresh: true });
  return alerts.map((alert) => ({
    rule: alert.rule.id,
    fields: flatten(alert as unknown as Record<string, unknown>),
  }));
}
