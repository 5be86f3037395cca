import type { RunResult } from '../scenarios/results.js';

/** `proven`: a rule covers it and one of its attack scenarios passed; `covered`: a rule, no passing proof. */
export type CoverageStatus = 'proven' | 'covered' | 'failing';

export interface RuleCoverage {
  id: string;
  name: string;
  severity: string;
  techniques: string[];
  /** Scenarios that name this rule, and how they did. */
  scenarios: { name: string; kind: 'attack' | 'benign'; passed: boolean }[];
  status: CoverageStatus;
}

export interface TechniqueCoverage {
  /** The most specific id: sub-technique when the rule maps one. */
  id: string;
  name: string;
  tactics: { id: string; name: string }[];
  rules: string[];
  provenBy: string[];
  status: CoverageStatus;
}

export interface Coverage {
  rules: RuleCoverage[];
  techniques: TechniqueCoverage[];
  tactics: { id: string; name: string }[];
  /** Attack-scenario techniques no rule maps (gaps). */
  unmapped: string[];
}

/**
 * Which techniques the rules cover and which of those passing scenarios prove. A rule is proven by an
 * attack scenario that expects it to fire and passed; any failing scenario naming it marks it failing.
 */
export function computeCoverage(run: RunResult): Coverage {
  const rules: RuleCoverage[] = run.rules.map((rule) => {
    const scenarios = run.scenarios
      .filter((s) => s.expectations.some((e) => e.subject === rule.id))
      .map((s) => ({ name: s.name, kind: s.kind, passed: s.passed }));
    const proven = run.scenarios.some(
      (s) =>
        s.kind === 'attack' &&
        s.passed &&
        s.expectations.some((e) => e.kind === 'must_fire' && e.subject === rule.id),
    );
    const failing = scenarios.some((s) => !s.passed);
    return {
      id: rule.id,
      name: rule.name,
      severity: rule.severity,
      techniques: rule.threat.map((t) => (t.subtechnique ?? t.technique).id),
      scenarios,
      status: failing ? 'failing' : proven ? 'proven' : 'covered',
    };
  });

  const techniques = new Map<string, TechniqueCoverage>();
  const tactics = new Map<string, { id: string; name: string }>();
  for (const rule of run.rules) {
    const coverage = rules.find((r) => r.id === rule.id)!;
    for (const t of rule.threat) {
      const tech = t.subtechnique ?? t.technique;
      const name = t.subtechnique ? `${t.technique.name}: ${t.subtechnique.name}` : t.technique.name;
      const entry = techniques.get(tech.id) ?? {
        id: tech.id,
        name,
        tactics: [],
        rules: [],
        provenBy: [],
        status: 'covered' as CoverageStatus,
      };
      if (!entry.tactics.some((x) => x.id === t.tactic.id)) entry.tactics.push(t.tactic);
      if (!entry.rules.includes(rule.id)) entry.rules.push(rule.id);
      if (coverage.status === 'proven' && !entry.provenBy.includes(rule.id)) entry.provenBy.push(rule.id);
      techniques.set(tech.id, entry);
      tactics.set(t.tactic.id, t.tactic);
    }
  }
  for (const t of techniques.values()) {
    const statuses = t.rules.map((id) => rules.find((r) => r.id === id)!.status);
    t.status = t.provenBy.length ? 'proven' : statuses.includes('failing') ? 'failing' : 'covered';
  }
  const mapped = new Set(techniques.keys());
  const unmapped = [
    ...new Set(
      run.scenarios.filter((s) => s.kind === 'attack').flatMap((s) => s.attack.map((a) => a.technique)),
    ),
  ].filter((id) => !mapped.has(id));
  return {
    rules,
    techniques: [...techniques.values()].sort((a, b) => a.id.localeCompare(b.id)),
    tactics: [...tactics.values()].sort((a, b) => a.id.localeCompare(b.id)),
    unmapped: unmapped.sort(),
  };
}
